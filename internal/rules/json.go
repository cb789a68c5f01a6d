package rules

import (
	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/internal/clienttext"
	"github.com/flexinference/flexguard/internal/jsonscan"
)

// MaxDepth is the deepest nesting of arrays and objects a body may have,
// encoding/json's own limit: a deeper body could not be decoded by the
// handler, and the bound keeps DuplicateKey's recursive walk shallow.
const MaxDepth = jsonscan.MaxDepth

// The invalid_json messages that say more than the catalog's default.
const (
	tooDeepMessage = "The request body nests arrays and objects more than 10,000 levels deep. Flatten it."
	notUTF8Message = "The request body is not valid UTF-8. Encode all text as UTF-8."
)

// CheckJSON judges invalid_json and invalid_body:
// invalid_json unless body is one valid JSON value in UTF-8 (no byte-order
// mark, nothing after it, nesting at most MaxDepth), then invalid_body
// unless that value is an object. It is the check Engine.Parse makes,
// without the index of the members.
func CheckJSON(body []byte) *apierrors.Error {
	return judgeJSON(jsonscan.Scan(body, nil))
}

// judgeJSON turns what jsonscan learned about a body into invalid_json or
// invalid_body. The message names the first problem in reading order.
func judgeJSON(res jsonscan.Result) *apierrors.Error {
	switch res.Problem {
	case jsonscan.None:
	case jsonscan.TooDeep:
		return apierrors.New(apierrors.InvalidJSON, "", tooDeepMessage)
	case jsonscan.InvalidUTF8:
		return apierrors.New(apierrors.InvalidJSON, "", notUTF8Message)
	default:
		return apierrors.New(apierrors.InvalidJSON, "", "")
	}
	if !res.Object {
		return apierrors.New(apierrors.InvalidBody, "", "")
	}
	return nil
}

// DuplicateKey returns the path of the first key that an object in body
// repeats ("messages[0].content[1].type"), walking the document in order;
// found is false when no object repeats a key. body must have passed
// CheckJSON.
func DuplicateKey(body []byte) (path string, found bool) {
	var p clienttext.Path
	text := unsafeString(body)
	if _, found := findDuplicate(text, skipSpace(text, 0), &p); found {
		return p.String(), true
	}
	return "", false
}

// findDuplicate walks the value that starts at s[i] depth first and
// returns the index just past it. It reads every byte once: measuring a
// value before descending into it would rescan it at every level, which is
// quadratic in the nesting depth. On a repeated key it leaves the path to
// it in p and returns found true.
func findDuplicate(s string, i int, p *clienttext.Path) (end int, found bool) {
	if i >= len(s) {
		return i, false
	}
	mark := p.Len()
	switch s[i] {
	case '{':
		var small [16]string // most objects are small: no map
		seen := small[:0]
		var many map[string]struct{}
		i = skipSpace(s, i+1)
		for i < len(s) && s[i] == '"' {
			keyEnd := stringEnd(s, i)
			key := decodeString(s[i:keyEnd])
			repeated := false
			if many != nil {
				_, repeated = many[key]
				many[key] = struct{}{}
			} else {
				for _, k := range seen {
					if k == key {
						repeated = true
						break
					}
				}
				if seen = append(seen, key); len(seen) > len(small) {
					many = make(map[string]struct{}, 2*len(seen))
					for _, k := range seen {
						many[k] = struct{}{}
					}
				}
			}
			p.Key(key)
			if repeated {
				return i, true
			}
			i = skipSpace(s, keyEnd) // the ':'
			i = skipSpace(s, i+1)
			if i, found = findDuplicate(s, i, p); found {
				return i, true
			}
			p.Truncate(mark)
			if i = skipSpace(s, i); i < len(s) && s[i] == ',' {
				i = skipSpace(s, i+1)
			}
		}
		return i + 1, false // past the '}'
	case '[':
		i = skipSpace(s, i+1)
		for index := 0; i < len(s) && s[i] != ']'; index++ {
			p.Index(index)
			if i, found = findDuplicate(s, i, p); found {
				return i, true
			}
			p.Truncate(mark)
			if i = skipSpace(s, i); i < len(s) && s[i] == ',' {
				i = skipSpace(s, i+1)
			}
		}
		return i + 1, false // past the ']'
	default:
		return valueEnd(s, i), false
	}
}
