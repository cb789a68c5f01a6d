package clienttext

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestCut(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"a short value is unchanged", "gpt-5.5", "gpt-5.5"},
		{"a value of exactly the bound is unchanged", strings.Repeat("a", MaxValue), strings.Repeat("a", MaxValue)},
		{"a longer value keeps 61 bytes and the marker", strings.Repeat("a", 100), strings.Repeat("a", 61) + "…"},
		{"a cut never splits a three-byte character", strings.Repeat("a", 60) + "€€€", strings.Repeat("a", 60) + "…"},
		{"a cut keeps a character that ends at the bound", strings.Repeat("a", 58) + "€€€", strings.Repeat("a", 58) + "€" + "…"},
		{"stray continuation bytes are cut anywhere", strings.Repeat("\x80", 100), strings.Repeat("\x80", 61) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Cut(tt.in)
			assert.Equal(t, tt.want, got)
			assert.LessOrEqual(t, len(got), MaxValue)
		})
	}
}

func TestQuoteEscapesTheCutValue(t *testing.T) {
	t.Parallel()
	assert.Equal(t, `"a\"b"`, Quote(`a"b`))
	got := Quote(strings.Repeat("x", 1000))
	assert.Equal(t, `"`+strings.Repeat("x", 61)+`…"`, got)
}

func TestCutPath(t *testing.T) {
	t.Parallel()
	short := "messages[0].content[2].cache_control"
	assert.Equal(t, short, CutPath(short))

	long := strings.Repeat("k.", 1000) + "cache_control"
	got := CutPath(long)
	assert.LessOrEqual(t, len(got), MaxPath)
	assert.True(t, strings.HasPrefix(got, "…"))
	assert.True(t, strings.HasSuffix(got, ".cache_control"), "the end names the field")

	wide := strings.Repeat("€", 200) // 600 bytes
	got = CutPath(wide)
	assert.LessOrEqual(t, len(got), MaxPath)
	assert.True(t, utf8.ValidString(got), "a cut path never splits a character")
}

func FuzzCut(f *testing.F) {
	f.Add(strings.Repeat("é", 40))
	f.Add("short")
	f.Fuzz(func(t *testing.T, s string) {
		for _, got := range []string{Cut(s), CutPath(s)} {
			if len(got) > MaxPath {
				t.Fatalf("%d bytes", len(got))
			}
			if utf8.ValidString(s) && !utf8.ValidString(got) {
				t.Fatalf("cut %q into invalid UTF-8 %q", s, got)
			}
		}
		if len(Cut(s)) > MaxValue {
			t.Fatalf("Cut gave %d bytes", len(Cut(s)))
		}
		if len(s) <= MaxValue && Cut(s) != s {
			t.Fatalf("Cut changed a short value")
		}
	})
}

func TestPath(t *testing.T) {
	t.Parallel()
	var p Path
	p.Key("messages")
	p.Index(0)
	p.Key("content")
	mark := p.Len()
	p.Index(2)
	p.Key("cache_control")
	assert.Equal(t, "messages[0].content[2].cache_control", p.String())

	p.Truncate(mark)
	p.Index(3)
	assert.Equal(t, "messages[0].content[3]", p.String())

	var top Path
	top.Index(1)
	top.Key(strings.Repeat("k", 5000))
	got := top.String()
	assert.Equal(t, "[1]."+strings.Repeat("k", 61)+"…", got, "a long key is cut where it is added")

	var deep Path
	for range 1000 {
		deep.Key("a")
	}
	assert.LessOrEqual(t, len(deep.String()), MaxPath)
}
