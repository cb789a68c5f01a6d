package validate_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/validate"
)

func TestCheckReturnsAnUntypedNilForAValidBody(t *testing.T) {
	t.Parallel()
	v, err := validate.New(validate.Policy{})
	require.NoError(t, err)
	// The probe a newcomer writes: pass Check's error on as an error.
	check := func(body []byte) error {
		_, err := v.Check(validate.Responses, body)
		return err
	}
	assert.NoError(t, check([]byte(`{"model":"gpt-5.5","start_within":"auto"}`)))
	assert.True(t, check([]byte(`{"model":"gpt-5.5","start_within":"auto"}`)) == nil, "a valid body gives a nil error, not a typed nil")
	assert.Equal(t, apierrors.MissingModel, apierrors.CodeOf(check([]byte(`{}`))))
}

func TestCheckRefusesAValueThatIsNotAnEndpoint(t *testing.T) {
	t.Parallel()
	v, err := validate.New(validate.Policy{})
	require.NoError(t, err)
	_, err = v.Check(validate.Endpoint(0), []byte(`{"model":"gpt-5.5","start_within":"auto"}`))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "flexguard/validate: ")
	assert.Equal(t, apierrors.InternalError, apierrors.CodeOf(err))
}
