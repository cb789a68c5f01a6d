package clienttext

import "strconv"

// Path builds a param path as the error body names a field: dots between
// object keys, brackets around array indexes
// ("messages[0].content[2].cache_control"). Each key is cut like a value
// (Cut) as it is added, and String cuts the whole path (CutPath). The zero
// Path is empty and ready to use.
type Path struct {
	buf []byte
}

// Key appends an object key.
func (p *Path) Key(key string) {
	if len(p.buf) > 0 {
		p.buf = append(p.buf, '.')
	}
	p.buf = append(p.buf, Cut(key)...)
}

// Index appends an array index.
func (p *Path) Index(i int) {
	p.buf = append(p.buf, '[')
	p.buf = strconv.AppendInt(p.buf, int64(i), 10)
	p.buf = append(p.buf, ']')
}

// Len returns the length of the path built so far, for Truncate.
func (p *Path) Len() int { return len(p.buf) }

// Truncate drops what was appended after the path had length n, so that a
// walk can leave a key or an index behind.
func (p *Path) Truncate(n int) { p.buf = p.buf[:n] }

// String returns the path, cut to MaxPath bytes.
func (p *Path) String() string { return CutPath(string(p.buf)) }
