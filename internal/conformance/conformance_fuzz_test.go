package conformance

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse: reading any file never panics, and every case it returns is
// complete: a request line, a status, and for an error a code.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(Dir(), "*.txt"))
	for _, file := range files[:min(len(files), 3)] {
		if src, err := os.ReadFile(file); err == nil {
			f.Add(src)
		}
	}
	f.Add([]byte("=== a\nPOST /v1/responses\n@size 10\n\n{% fill %}\n--- want 200\n"))
	f.Add([]byte("=== a\nPOST /v1/responses\n\n{% repeat \"[\" 3 %}\n--- want 400 invalid_json null\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 1<<16 {
			return // a case body can ask for megabytes through @size; keep runs quick
		}
		cases, err := Parse("fuzz.txt", src)
		if err != nil {
			return
		}
		for _, c := range cases {
			if c.Name == "" || c.Method == "" || c.Target == "" || c.WantStatus < 100 || c.WantStatus > 599 {
				t.Fatalf("incomplete case %+v", c)
			}
			if c.WantStatus != 200 && c.WantCode == "" {
				t.Fatalf("an error case without a code: %+v", c)
			}
		}
	})
}
