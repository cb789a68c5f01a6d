package interop_test

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/tools/imports"
)

// readmeImports are the packages a README snippet may use without
// importing them itself; goimports drops those a snippet leaves unused
// and adds the standard library's.
const readmeImports = `import (
	"github.com/flexinference/flexguard/contrib/prommetrics"
	"github.com/flexinference/flexguard/contrib/redislimit"
	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/errors/dialect"
	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/schemas"
	"github.com/flexinference/flexguard/validate"
	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"
)
`

// readmePrelude declares what the README's snippets take as given: the
// gateway's own handlers and services. A snippet that declares one of
// these names itself keeps its own.
const readmePrelude = `
var (
	chatHandler, messagesHandler, gatewayHandler, proxy http.Handler
	chatGinHandler                                      gin.HandlerFunc
	messagesEchoHandler, proxyEchoHandler               echo.HandlerFunc
	e                                                   = echo.New()
	policy                                              validate.Policy
	body                                                []byte
	keys                                                keyStore
	metrics                                             counter
	_                                                   = apierrors.New
	_                                                   = chi.NewRouter
	_                                                   = dialect.Names
	_                                                   = middleware.New
	_                                                   = schemas.Compile
)

type keyStore struct{}

func (keyStore) Has(*http.Request, validate.Provider) (bool, error) { return true, nil }

type sqlKeys struct{ db *sql.DB }

func (sqlKeys) LookupKey(context.Context, string) (middleware.KeyRecord, bool, error) {
	return middleware.KeyRecord{}, false, nil
}

type counter struct{}

func (counter) Inc(string) {}

func rateLimitByModel(next http.Handler) http.Handler { return next }

func requestID(context.Context) string { return "" }
`

// TestEveryGoSnippetInTheREADMECompiles extracts each Go block of the
// README and builds it against the real packages: a complete file as it
// is, declarations with the prelude beside them, statements inside a
// function.
func TestEveryGoSnippetInTheREADMECompiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every snippet with the go command")
	}
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	require.NoError(t, err)
	blocks := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllSubmatch(readme, -1)
	require.NotEmpty(t, blocks, "the README has Go snippets")

	dir, err := os.MkdirTemp(".", "_readme_snippets_")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	var pkgs []string
	for i, block := range blocks {
		name := fmt.Sprintf("snippet%02d", i+1)
		src, err := snippetFile(name, string(block[1]))
		require.NoError(t, err, "README Go block %d:\n%s", i+1, block[1])
		pkgDir := filepath.Join(dir, name)
		require.NoError(t, os.Mkdir(pkgDir, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(pkgDir, "snippet.go"), src, 0o600))
		pkgs = append(pkgs, "./"+filepath.ToSlash(pkgDir))
	}
	build := exec.Command("go", append([]string{"vet"}, pkgs...)...)
	out, err := build.CombinedOutput()
	require.NoError(t, err, "a README snippet does not compile:\n%s", out)
	t.Logf("%d README Go snippets compile", len(pkgs))
}

// snippetFile turns one README block into a Go file of package name.
func snippetFile(name, block string) ([]byte, error) {
	var src string
	switch {
	case strings.HasPrefix(block, "package "):
		src = regexp.MustCompile(`^package \w+`).ReplaceAllString(block, "package "+name)
	default:
		top, declared := declarations(block)
		if !top {
			block = "func _() {\n" + block + "\n}\n"
		}
		src = "package " + name + "\n\n" + importsBesides(block) + block + prelude(declared)
	}
	return imports.Process(name+".go", []byte(src), &imports.Options{Comments: true, TabIndent: true, TabWidth: 8, FormatOnly: false})
}

// importsBesides returns an import declaration of the readmeImports that
// block does not import itself.
func importsBesides(block string) string {
	var keep []string
	for _, line := range strings.Split(readmeImports, "\n") {
		path := regexp.MustCompile(`"[^"]+"`).FindString(line)
		if path != "" && !strings.Contains(block, path) {
			keep = append(keep, line)
		}
	}
	return "import (\n" + strings.Join(keep, "\n") + "\n)\n\n"
}

// declarations reports whether block parses as top-level declarations,
// and the names it declares.
func declarations(block string) (top bool, declared map[string]bool) {
	file, err := parser.ParseFile(token.NewFileSet(), "", "package p\n"+block, 0)
	if err != nil {
		return false, nil
	}
	declared = map[string]bool{}
	for _, d := range file.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			declared[d.Name.Name] = true
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.ValueSpec:
					for _, n := range s.Names {
						declared[n.Name] = true
					}
				case *ast.TypeSpec:
					declared[s.Name.Name] = true
				}
			}
		}
	}
	return true, declared
}

// prelude returns readmePrelude without the declarations of names the
// snippet declares itself, and with the imports it needs.
func prelude(declared map[string]bool) string {
	file, err := parser.ParseFile(token.NewFileSet(), "", "package p\n"+readmePrelude, parser.ParseComments)
	if err != nil {
		panic(err)
	}
	var out bytes.Buffer
	out.WriteString("\n")
	text := "package p\n" + readmePrelude
	for _, d := range file.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.VAR {
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				var keep []string
				for _, n := range vs.Names {
					if !declared[n.Name] {
						keep = append(keep, n.Name)
					}
				}
				if len(keep) == 0 {
					continue
				}
				rest := text[vs.Names[len(vs.Names)-1].End()-1 : vs.End()-1]
				fmt.Fprintf(&out, "var %s%s\n", strings.Join(keep, ", "), rest)
			}
			continue
		}
		if f, ok := d.(*ast.FuncDecl); ok && declared[f.Name.Name] {
			continue
		}
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.TYPE && declared[g.Specs[0].(*ast.TypeSpec).Name.Name] {
			continue
		}
		out.WriteString(text[d.Pos()-1:d.End()-1] + "\n")
	}
	return out.String()
}
