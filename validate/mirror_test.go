package validate

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/flexinference/flexguard/internal/rules"
)

// The public values mirror the engine's one for one: conversions between
// them are plain type conversions.
func TestPublicValuesMirrorTheEngine(t *testing.T) {
	t.Parallel()
	assert.Equal(t, []rules.Endpoint{rules.Responses, rules.ChatCompletions, rules.Interactions, rules.Messages},
		[]rules.Endpoint{rules.Endpoint(Responses), rules.Endpoint(ChatCompletions), rules.Endpoint(Interactions), rules.Endpoint(Messages)})
	assert.Equal(t, []rules.Provider{rules.OpenAI, rules.Gemini, rules.Anthropic},
		[]rules.Provider{rules.Provider(OpenAI), rules.Provider(Gemini), rules.Provider(Anthropic)})
	assert.Equal(t, []rules.Mode{rules.ModeDefault, rules.ModePriority, rules.ModeAuto, rules.ModeDuration},
		[]rules.Mode{rules.Mode(ModeDefault), rules.Mode(ModePriority), rules.Mode(ModeAuto), rules.Mode(ModeDuration)})
	assert.Equal(t, rules.MinStartWithin, MinStartWithin)
	assert.Equal(t, rules.MaxStartWithin, MaxStartWithin)
	assert.EqualValues(t, rules.DefaultMaxBodyBytes, DefaultMaxBodyBytes)
	for _, ep := range Endpoints() {
		got, ok := EndpointOf(ep.String())
		assert.True(t, ok)
		assert.Equal(t, ep, got)
	}
}
