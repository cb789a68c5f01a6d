package schemas

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v5"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/internal/clienttext"
	"github.com/flexinference/flexguard/validate"
)

// The annotation keywords a schema uses to say which error a rule answers
// with. Only x-flexguard-code is needed; the others refine it.
const (
	// KeywordCode names the rule's error code: a catalog code such as
	// "unsupported_parameter", or the embedder's own.
	KeywordCode = "x-flexguard-code"
	// KeywordStatus is the HTTP status of a code outside the catalog
	// (400 to 599; default 400).
	KeywordStatus = "x-flexguard-status"
	// KeywordType is the error type of a code outside the catalog
	// (default "invalid_request_error").
	KeywordType = "x-flexguard-type"
	// KeywordParam replaces the param derived from the failing field's
	// path, for rules whose failure sits on the parent object (required).
	KeywordParam = "x-flexguard-param"
	// KeywordMessage replaces the message the error is sent with.
	KeywordMessage = "x-flexguard-message"
	// KeywordPolicy makes a schema hold only under a policy that turns on
	// the option it names (the policy file's key: "accept_no_op_defaults");
	// under any other policy the schema fails every value. The canonical
	// schemas use it for the no-op values of refused parameters, as the
	// branch of an anyOf. Compile judges every option off; CanonicalFor
	// judges them as its policy sets them.
	KeywordPolicy = "x-flexguard-policy"
)

//go:embed responses.json chat_completions.json interactions.json messages.json
var canonicalFiles embed.FS

// canonicalPaths names the embedded schema of each endpoint.
var canonicalPaths = map[validate.Endpoint][]string{
	validate.Responses:       {"responses.json"},
	validate.ChatCompletions: {"chat_completions.json"},
	validate.Interactions:    {"interactions.json"},
	validate.Messages:        {"messages.json"},
}

// canonical and canonicalNoOps compile the embedded schemas on first use,
// with the policy's options off and with accept_no_op_defaults on. They
// ship with the package, so a failure is a bug in this package, not the
// caller's.
var (
	canonical      = sync.OnceValue(func() *Set { return compileCanonical(policyOptions{}) })
	canonicalNoOps = sync.OnceValue(func() *Set { return compileCanonical(policyOptions{acceptNoOpDefaults: true}) })
)

func compileCanonical(options policyOptions) *Set {
	s, err := compile(canonicalFiles, canonicalPaths, options)
	if err != nil {
		panic("flexguard/schemas: the embedded schemas do not compile: " + err.Error())
	}
	return s
}

// Files returns the embedded schema files (responses.json,
// chat_completions.json, interactions.json, messages.json), to read or to
// compile alongside an embedder's own.
func Files() fs.FS { return canonicalFiles }

// Canonical returns the Set of the embedded schemas, one per endpoint: the
// catalog's policy-free body rules, as the zero Policy judges them.
func Canonical() *Set { return canonical() }

// CanonicalFor returns the Set of the embedded schemas as they judge under
// p: the declarative twin of validate.New(p)'s rules. Of the policy, only
// AcceptNoOpDefaults changes what the schemas judge (the no-op values of
// refused parameters pass); the rest bears on rules the schemas leave to
// package validate (see "What the schemas leave to the policy").
func CanonicalFor(p validate.Policy) *Set {
	if p.AcceptNoOpDefaults {
		return canonicalNoOps()
	}
	return canonical()
}

// Set is a compiled group of schemas, each bound to an endpoint. It is
// safe for concurrent use.
type Set struct {
	byEndpoint map[validate.Endpoint][]*document
}

// document is one compiled schema file and the rules it annotates.
type document struct {
	schema *jsonschema.Schema
	rules  map[string]*rule // by the absolute location of the annotated schema
}

// rule is one annotated schema: what its failures are answered with, and
// where it stands in the order of judgement.
type rule struct {
	code    apierrors.Code
	custom  *apierrors.CustomCode // nil for a catalog code
	param   string                // fixed param; "" derives it from the failure
	message string                // fixed message; "" picks a default
	order   []string              // the schema location's JSON Pointer tokens
}

// Compile compiles the schema files named in paths, read from files, and
// binds each list to its endpoint. Every schema of an endpoint is applied;
// when several rules fail, the earliest wins: first by file (in the order
// listed), then by position in the file (an entry of allOf before a later
// one, array indexes compared as numbers), then by the failing field (the
// lowest index first).
//
// A rule is a schema carrying x-flexguard-code. A failing keyword answers
// with the code of the nearest rule around it; a failure under no rule is
// answered as invalid_body naming the field. Keywords are checked here: an
// unknown code name with no status, a status outside 400 to 599, or a
// status or type given for a catalog code is an error. $ref between files
// resolves within files; nothing is fetched from the network. Every
// policy option that x-flexguard-policy names is judged off.
func Compile(files fs.FS, paths map[validate.Endpoint][]string) (*Set, error) {
	return compile(files, paths, policyOptions{})
}

func compile(files fs.FS, paths map[validate.Endpoint][]string, options policyOptions) (*Set, error) {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.LoadURL = func(url string) (io.ReadCloser, error) {
		name, ok := strings.CutPrefix(url, baseURL)
		if !ok {
			return nil, fmt.Errorf("flexguard/schemas: %s: only files of the given fs.FS can be loaded", url)
		}
		return files.Open(name)
	}
	c.RegisterExtension("flexguard", nil, annotationCompiler{})
	c.RegisterExtension("flexguard-policy", nil, policyGateCompiler{options})

	set := &Set{byEndpoint: make(map[validate.Endpoint][]*document, len(paths))}
	for ep, list := range paths {
		if ep.String() == "" {
			return nil, fmt.Errorf("flexguard/schemas: unknown endpoint %d", ep)
		}
		for _, p := range list {
			if !fs.ValidPath(p) {
				return nil, fmt.Errorf("flexguard/schemas: %q is not a valid fs.FS path", p)
			}
			sch, err := c.Compile(baseURL + p)
			if err != nil {
				return nil, fmt.Errorf("flexguard/schemas: %s: %w", p, err)
			}
			set.byEndpoint[ep] = append(set.byEndpoint[ep], &document{schema: sch, rules: collectRules(sch)})
		}
	}
	return set, nil
}

// baseURL roots the files of an fs.FS in a URL space of their own, so that
// relative $refs resolve between them.
const baseURL = "file:///flexguard-schemas/"

// Check judges body, a request to ep, against ep's schemas and returns
// the first failing rule as an error whose *apierrors.Error errors.As
// finds, or nil. An endpoint without schemas passes without decoding the
// body. A body that does not decode is invalid_json; one that is not an
// object is invalid_body.
func (s *Set) Check(ep validate.Endpoint, body []byte) error {
	docs := s.byEndpoint[ep]
	if len(docs) == 0 {
		return nil
	}
	v, err := decode(body)
	if err != nil {
		return err
	}
	if err := judge(docs, v); err != nil {
		return err
	}
	return nil
}

// judge judges v, a body decoded by decode, against docs and returns the
// first failing rule, or nil.
func judge(docs []*document, v any) (result *apierrors.Error) {
	defer func() {
		// The schema engine panics on some values it cannot compare; the
		// client gets internal_error rather than a dropped connection.
		if recover() != nil {
			result = apierrors.New(apierrors.InternalError, "", "")
		}
	}()
	if _, ok := v.(map[string]any); !ok {
		return apierrors.New(apierrors.InvalidBody, "", "")
	}
	for _, doc := range docs {
		err := doc.schema.Validate(v)
		if err == nil {
			continue
		}
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			// An infinite $ref loop or a value that is not JSON: the
			// schema cannot judge this body, which is the gateway's fault.
			return apierrors.New(apierrors.InternalError, "", "")
		}
		return doc.firstFailure(ve, v)
	}
	return nil
}

// decode decodes body as encoding/json does for the handler (the last of
// repeated keys wins), keeping numbers as json.Number so that 1.0 and 1
// compare equal without rounding. Bytes that are not one JSON value, or
// not UTF-8, are invalid_json. Numbers too long or too large for the schema
// engine to compare cheaply are rewritten to short ones that compare the
// same way with any schema constant (see numbers.go).
func decode(body []byte) (any, *apierrors.Error) {
	if !utf8.Valid(body) { // encoding/json would quietly replace them
		return nil, apierrors.New(apierrors.InvalidJSON, "", "")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, apierrors.New(apierrors.InvalidJSON, "", "")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, apierrors.New(apierrors.InvalidJSON, "", "")
	}
	return tameNumbers(v), nil
}

// failure is one failing keyword, attributed to its rule.
type failure struct {
	rule     *rule // nil: under no rule
	instance []string
}

// firstFailure walks the error tree and returns the failure that comes
// first in the order of judgement, as an *apierrors.Error.
func (d *document) firstFailure(root *jsonschema.ValidationError, v any) *apierrors.Error {
	var best *failure
	var ancestors []*jsonschema.ValidationError
	var walk func(ve *jsonschema.ValidationError)
	walk = func(ve *jsonschema.ValidationError) {
		ancestors = append(ancestors, ve)
		defer func() { ancestors = ancestors[:len(ancestors)-1] }()
		if len(ve.Causes) > 0 && !isCombinator(ve.KeywordLocation) {
			for _, c := range ve.Causes {
				walk(c)
			}
			return
		}
		f := &failure{rule: d.ruleOf(ancestors), instance: pointerTokens(ve.InstanceLocation)}
		if best == nil || f.before(best) {
			best = f
		}
	}
	walk(root)
	return best.render(v)
}

// isCombinator reports whether a keyword's failure is judged as a whole:
// the branches of anyOf and oneOf are alternatives, not separate failures.
func isCombinator(keywordLocation string) bool {
	return strings.HasSuffix(keywordLocation, "/anyOf") || strings.HasSuffix(keywordLocation, "/oneOf")
}

// ruleOf returns the nearest rule around the failing keyword: up the
// schema document from the keyword, then, past a $ref, from the schema
// that referred to it.
func (d *document) ruleOf(chain []*jsonschema.ValidationError) *rule {
	for i := len(chain) - 1; i >= 0; i-- {
		loc := chain[i].AbsoluteKeywordLocation
		hash := strings.IndexByte(loc, '#')
		if hash < 0 {
			continue
		}
		for {
			if r, ok := d.rules[loc]; ok {
				return r
			}
			slash := strings.LastIndexByte(loc, '/')
			if slash < hash {
				break
			}
			parent := loc[:slash]
			if strings.HasSuffix(parent, "/$defs") || strings.HasSuffix(parent, "/definitions") {
				break // a definition belongs to whoever refers to it
			}
			loc = parent
		}
	}
	return nil
}

// before reports whether f is judged before g.
func (f *failure) before(g *failure) bool {
	switch {
	case f.rule == nil || g.rule == nil:
		if (f.rule == nil) != (g.rule == nil) {
			return g.rule == nil // failures under no rule come last
		}
	default:
		if c := compareTokens(f.rule.order, g.rule.order); c != 0 {
			return c < 0
		}
	}
	return compareTokens(f.instance, g.instance) < 0
}

// compareTokens orders JSON Pointer token lists: token by token, numbers
// by value (so 2 comes before 10), other tokens as strings, a prefix first.
func compareTokens(a, b []string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		nx, errX := strconv.Atoi(x)
		ny, errY := strconv.Atoi(y)
		switch {
		case errX == nil && errY == nil:
			if nx < ny {
				return -1
			}
			return 1
		case errX == nil: // numbers before names
			return -1
		case errY == nil:
			return 1
		case x < y:
			return -1
		default:
			return 1
		}
	}
	return len(a) - len(b)
}

// render turns the failure into the error the client gets.
func (f *failure) render(v any) *apierrors.Error {
	param := paramPath(v, f.instance)
	r := f.rule
	if r == nil {
		return apierrors.New(apierrors.InvalidBody, param,
			"The field named by param does not match the gateway's schema for this endpoint.")
	}
	if r.param != "" {
		param = r.param
	}
	if r.custom != nil {
		return r.custom.New(param, r.message)
	}
	message := r.message
	if message == "" && param != "" {
		switch r.code {
		case apierrors.UnsupportedParameter:
			message = param + " is not supported on this endpoint. Remove it from the request."
		case apierrors.UnsupportedGenerationConfig:
			message = param + " is not supported. Remove it from generation_config."
		}
	}
	return apierrors.New(r.code, param, message)
}

// paramPath renders a failing instance's location as a param path (see
// clienttext.Path), bounded however long the client's keys are. It walks
// v to tell an index from an object key that happens to be a number.
func paramPath(v any, tokens []string) string {
	var p clienttext.Path
	for _, tok := range tokens {
		switch node := v.(type) {
		case []any:
			i, _ := strconv.Atoi(tok)
			p.Index(i)
			if i >= 0 && i < len(node) {
				v = node[i]
			}
		case map[string]any:
			p.Key(tok)
			v = node[tok]
		default:
			p.Key(tok)
		}
	}
	return p.String()
}

// pointerTokens splits a JSON Pointer ("/messages/0/content") into its
// unescaped tokens.
func pointerTokens(ptr string) []string {
	if ptr == "" {
		return nil
	}
	tokens := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	for i, t := range tokens {
		if strings.IndexByte(t, '~') >= 0 {
			tokens[i] = strings.NewReplacer("~1", "/", "~0", "~").Replace(t)
		}
	}
	return tokens
}

// annotationCompiler compiles the x-flexguard-* keywords of one schema into
// a rule. The rule never fails a value itself: it only names the error
// for the keywords beside and below it.
type annotationCompiler struct{}

func (annotationCompiler) Compile(_ jsonschema.CompilerContext, m map[string]any) (jsonschema.ExtSchema, error) {
	code, hasCode := m[KeywordCode]
	if !hasCode {
		for _, k := range [...]string{KeywordStatus, KeywordType, KeywordParam, KeywordMessage} {
			if _, ok := m[k]; ok {
				return nil, fmt.Errorf("flexguard/schemas: %s needs %s beside it", k, KeywordCode)
			}
		}
		return nil, nil
	}
	name, ok := code.(string)
	if !ok {
		return nil, fmt.Errorf("flexguard/schemas: %s must be a string, such as \"temperature_too_high\"", KeywordCode)
	}
	r := &rule{}
	var err error
	if r.param, err = stringKeyword(m, KeywordParam); err != nil {
		return nil, err
	}
	if r.message, err = stringKeyword(m, KeywordMessage); err != nil {
		return nil, err
	}
	typ, err := stringKeyword(m, KeywordType)
	if err != nil {
		return nil, err
	}
	status, hasStatus, err := statusKeyword(m)
	if err != nil {
		return nil, err
	}
	if c, err := apierrors.ParseCode(name); err == nil {
		if hasStatus || typ != "" {
			return nil, fmt.Errorf("flexguard/schemas: %q is a catalog code: its status and type are the catalog's, so drop %s and %s", name, KeywordStatus, KeywordType)
		}
		r.code = c
		return r, nil
	}
	if !hasStatus {
		status = 400
	}
	custom, err := apierrors.NewCustomCode(name, status, apierrors.Type(typ), "")
	if err != nil {
		return nil, fmt.Errorf("flexguard/schemas: %s: %w", KeywordCode, err)
	}
	r.custom = &custom
	return r, nil
}

// Validate never fails: a rule is an annotation.
func (*rule) Validate(jsonschema.ValidationContext, any) error { return nil }

// policyOptions are the policy's switches a schema may depend on.
type policyOptions struct {
	acceptNoOpDefaults bool
}

// on reports whether the option a policy file names option is on, and
// whether there is such an option.
func (o policyOptions) on(option string) (on, known bool) {
	switch option {
	case "accept_no_op_defaults":
		return o.acceptNoOpDefaults, true
	}
	return false, false
}

// policyGateCompiler compiles KeywordPolicy into a gate that is open when
// its option is on.
type policyGateCompiler struct {
	options policyOptions
}

func (c policyGateCompiler) Compile(_ jsonschema.CompilerContext, m map[string]any) (jsonschema.ExtSchema, error) {
	v, ok := m[KeywordPolicy]
	if !ok {
		return nil, nil
	}
	option, _ := v.(string)
	on, known := c.options.on(option)
	if !known {
		return nil, fmt.Errorf("flexguard/schemas: %s must name a policy option: \"accept_no_op_defaults\"", KeywordPolicy)
	}
	return policyGate{option: option, open: on}, nil
}

// policyGate fails every value unless its policy option is on.
type policyGate struct {
	option string
	open   bool
}

func (g policyGate) Validate(ctx jsonschema.ValidationContext, _ any) error {
	if g.open {
		return nil
	}
	return ctx.Error(KeywordPolicy, "the policy does not turn on %s", g.option)
}

func stringKeyword(m map[string]any, key string) (string, error) {
	v, ok := m[key]
	if !ok {
		return "", nil
	}
	s, ok := v.(string)
	if !ok || s == "" {
		return "", fmt.Errorf("flexguard/schemas: %s must be a non-empty string", key)
	}
	return s, nil
}

func statusKeyword(m map[string]any) (status int, ok bool, err error) {
	v, ok := m[KeywordStatus]
	if !ok {
		return 0, false, nil
	}
	n, isNumber := v.(json.Number)
	i, convErr := n.Int64()
	if !isNumber || convErr != nil || i < 400 || i > 599 {
		return 0, false, fmt.Errorf("flexguard/schemas: %s must be an integer from 400 to 599", KeywordStatus)
	}
	return int(i), true, nil
}

// collectRules finds every compiled schema reachable from root that
// carries a rule, by absolute location, and fixes each rule's order.
func collectRules(root *jsonschema.Schema) map[string]*rule {
	rules := make(map[string]*rule)
	seen := make(map[*jsonschema.Schema]bool)
	var visit func(s *jsonschema.Schema)
	visitAny := func(v any) {
		switch v := v.(type) {
		case *jsonschema.Schema:
			visit(v)
		case []*jsonschema.Schema:
			for _, s := range v {
				visit(s)
			}
		}
	}
	visit = func(s *jsonschema.Schema) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		if r, ok := s.Extensions["flexguard"].(*rule); ok {
			r.order = locationOrder(s.Location)
			rules[s.Location] = r
		}
		for _, sub := range []*jsonschema.Schema{s.Ref, s.RecursiveRef, s.DynamicRef, s.Not, s.If, s.Then, s.Else,
			s.PropertyNames, s.UnevaluatedProperties, s.Items2020, s.Contains, s.UnevaluatedItems, s.ContentSchema} {
			visit(sub)
		}
		for _, list := range [][]*jsonschema.Schema{s.AllOf, s.AnyOf, s.OneOf, s.PrefixItems} {
			for _, sub := range list {
				visit(sub)
			}
		}
		for _, sub := range s.Properties {
			visit(sub)
		}
		for _, sub := range s.PatternProperties {
			visit(sub)
		}
		for _, sub := range s.DependentSchemas {
			visit(sub)
		}
		for _, dep := range s.Dependencies {
			visitAny(dep)
		}
		visitAny(s.AdditionalProperties)
		visitAny(s.Items)
		visitAny(s.AdditionalItems)
	}
	visit(root)
	return rules
}

// locationOrder returns the JSON Pointer tokens of a schema's location
// ("file:///x.json#/allOf/3" → ["allOf", "3"]), its place in the order of
// judgement within its file.
func locationOrder(loc string) []string {
	_, frag, _ := strings.Cut(loc, "#")
	return pointerTokens(frag)
}
