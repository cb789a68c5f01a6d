package conformance

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"text/template"
)

// Case is one request and the answer it must get.
type Case struct {
	File string // base name of the file
	Line int    // line of the "===" header
	Name string

	Method string
	Target string      // path and query, as in the request line
	Header [][2]string // in file order

	Chunked        bool
	ContentLength  int64 // declared length; -1 means the body's own
	Disconnect     bool
	Policy         string // raw JSON, "" for the built-in policy
	Strict         bool
	OrgDefault     string
	NoKey          []string
	KeyLookupError bool
	Overdue        bool
	BillingError   bool

	Body []byte

	WantStatus int
	WantCode   string            // "" for a pass
	WantParam  string            // "" for null
	WantFacts  map[string]string // for a pass
}

// String names the case for test output: "file.txt:12 name".
func (c *Case) String() string { return fmt.Sprintf("%s:%d %s", c.File, c.Line, c.Name) }

// Path returns the target without its query string.
func (c *Case) Path() string {
	p, _, _ := strings.Cut(c.Target, "?")
	return p
}

// UsesTransport reports whether the case depends on more than the body
// bytes and the policy: the method, a header, the declared length,
// chunking or a disconnect. Such cases can only be judged through HTTP.
func (c *Case) UsesTransport() bool {
	return c.Method != "POST" || len(c.Header) > 0 || c.Chunked || c.ContentLength >= 0 || c.Disconnect
}

// UsesOrgHooks reports whether the case needs the embedder's per-request
// lookups (keys, billing, an organisation default).
func (c *Case) UsesOrgHooks() bool {
	return c.OrgDefault != "" || len(c.NoKey) > 0 || c.KeyLookupError || c.Overdue || c.BillingError
}

// Dir returns the directory of the conformance files.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "conformance")
}

// Load reads every *.txt file of dir, in name order.
func Load(dir string) ([]*Case, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var all []*Case
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		cases, err := Parse(filepath.Base(f), src)
		if err != nil {
			return nil, err
		}
		all = append(all, cases...)
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("conformance: no cases in %s", dir)
	}
	return all, nil
}

// Parse reads the cases of one file.
func Parse(name string, src []byte) ([]*Case, error) {
	var (
		cases []*Case
		c     *Case
		state int // 0 between cases, 1 head, 2 body
		body  []string
		size  int64 = -1
	)
	fail := func(line int, format string, args ...any) error {
		return fmt.Errorf("%s:%d: %s", name, line, fmt.Sprintf(format, args...))
	}
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "=== "):
			if state != 0 {
				return nil, fail(n, "case %q has no --- want line", c.Name)
			}
			c = &Case{File: name, Line: n, Name: strings.TrimSpace(strings.TrimPrefix(line, "=== ")), ContentLength: -1}
			if c.Name == "" {
				return nil, fail(n, "a case needs a name after ===")
			}
			state, body, size = 1, nil, -1
			if !sc.Scan() {
				return nil, fail(n, "case without a request line")
			}
			n++
			method, target, ok := strings.Cut(sc.Text(), " ")
			if !ok || method == "" || !strings.HasPrefix(target, "/") {
				return nil, fail(n, "want a request line like POST /v1/responses, got %q", sc.Text())
			}
			c.Method, c.Target = method, target
		case state == 1 && line == "":
			state = 2
		case state == 1 && strings.HasPrefix(line, "@"):
			if err := c.directive(strings.TrimPrefix(line, "@"), &size); err != nil {
				return nil, fail(n, "%v", err)
			}
		case state == 1:
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				return nil, fail(n, "want a header line, got %q", line)
			}
			c.Header = append(c.Header, [2]string{strings.TrimSpace(k), strings.TrimSpace(v)})
		case (state == 1 || state == 2) && strings.HasPrefix(line, "--- want "):
			if err := c.want(strings.Fields(strings.TrimPrefix(line, "--- want "))); err != nil {
				return nil, fail(n, "%v", err)
			}
			b, err := render(strings.Join(body, "\n"), size)
			if err != nil {
				return nil, fail(c.Line, "body: %v", err)
			}
			c.Body = b
			cases = append(cases, c)
			state = 0
		case state == 2:
			body = append(body, line)
		case strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "":
		default:
			return nil, fail(n, "text outside a case: %q", line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if state != 0 {
		return nil, fail(c.Line, "case %q has no --- want line", c.Name)
	}
	return cases, nil
}

func (c *Case) directive(d string, size *int64) error {
	name, arg, _ := strings.Cut(d, " ")
	arg = strings.TrimSpace(arg)
	var err error
	switch name {
	case "size":
		if *size, err = strconv.ParseInt(arg, 10, 64); err == nil && (*size < 0 || *size > maxBody) {
			err = fmt.Errorf("@size %d is outside 0..%d", *size, maxBody)
		}
	case "chunked":
		c.Chunked = true
	case "content-length":
		c.ContentLength, err = strconv.ParseInt(arg, 10, 64)
	case "disconnect":
		c.Disconnect = true
	case "policy":
		c.Policy = arg
	case "strict":
		c.Strict = true
	case "org-default":
		c.OrgDefault = arg
	case "no-key":
		c.NoKey = append(c.NoKey, arg)
	case "key-lookup-error":
		c.KeyLookupError = true
	case "overdue":
		c.Overdue = true
	case "billing-lookup-error":
		c.BillingError = true
	default:
		return fmt.Errorf("unknown directive @%s", name)
	}
	return err
}

func (c *Case) want(f []string) error {
	if len(f) == 0 {
		return fmt.Errorf("--- want needs a status")
	}
	status, err := strconv.Atoi(f[0])
	if err != nil || status < 100 || status > 599 {
		return fmt.Errorf("--- want: status %q is not an HTTP status", f[0])
	}
	c.WantStatus = status
	if status == 200 {
		c.WantFacts = map[string]string{}
		for _, kv := range f[1:] {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				return fmt.Errorf("--- want 200: want key=value, got %q", kv)
			}
			c.WantFacts[k] = v
		}
		return nil
	}
	if len(f) != 3 {
		return fmt.Errorf("--- want: an error needs status, code and param (or null), got %q", strings.Join(f, " "))
	}
	c.WantCode = f[1]
	if f[2] != "null" {
		c.WantParam = f[2]
	}
	return nil
}

// fillMark stands for {% fill %} until the body's length is known.
const fillMark = "\x00fill\x00"

// maxBody bounds a rendered body: cases test limits of about a megabyte,
// and a typo must not ask for gigabytes.
const maxBody = 16 << 20

var funcs = template.FuncMap{
	"repeat": func(s string, n int) (string, error) {
		if n < 0 || (len(s) > 0 && n > maxBody/len(s)) {
			return "", fmt.Errorf("repeat: %d copies of %d bytes is over %d bytes", n, len(s), maxBody)
		}
		return strings.Repeat(s, n), nil
	},
	"fill": func() string { return fillMark },
}

// render expands the body template; with size >= 0, {% fill %} pads the
// body to exactly size bytes.
func render(text string, size int64) ([]byte, error) {
	if !strings.Contains(text, "{%") {
		return padTo([]byte(text), size)
	}
	t, err := template.New("body").Delims("{%", "%}").Funcs(funcs).Parse(text)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, nil); err != nil {
		return nil, err
	}
	return padTo(b.Bytes(), size)
}

func padTo(b []byte, size int64) ([]byte, error) {
	i := bytes.Index(b, []byte(fillMark))
	if size < 0 {
		if i >= 0 {
			return nil, fmt.Errorf("{%% fill %%} without @size")
		}
		return b, nil
	}
	if i < 0 {
		return nil, fmt.Errorf("@size without {%% fill %%}")
	}
	pad := size - int64(len(b)-len(fillMark))
	if pad < 0 {
		return nil, fmt.Errorf("@size %d is smaller than the body without fill", size)
	}
	out := make([]byte, 0, size)
	out = append(out, b[:i]...)
	out = append(out, bytes.Repeat([]byte{'x'}, int(pad))...)
	return append(out, b[i+len(fillMark):]...), nil
}
