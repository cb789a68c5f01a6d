package middleware

import (
	"context"
	"hash/maphash"
	"sync"
	"time"
)

// DefaultMemoryLimiterKeys is how many keys a [MemoryLimiter] holds at
// most unless told otherwise.
const DefaultMemoryLimiterKeys = 1 << 18

// MemoryLimiterConfig configures a [MemoryLimiter]. The zero value is
// ready to use.
type MemoryLimiterConfig struct {
	// MaxKeys is the most keys held at once, whatever the number of
	// clients: when a new key would pass it, the key touched least
	// recently is dropped. Default: DefaultMemoryLimiterKeys.
	MaxKeys int

	// Clock tells the time. Default: time.Now.
	Clock func() time.Time
}

// MemoryLimiter is the in-process [Limiter]: counts kept in this
// process's memory, for a single gateway instance. It never returns an
// error. Build it with [NewMemoryLimiter].
//
// Memory is bounded: a key holds at most its rule's Limit event times,
// and at most MaxKeys keys are held. A key is spent once it holds nothing
// (its last event has left the window and no block runs); every Allow that
// adds a key first looks at a few others in turn and drops the spent ones,
// so spent keys make room for new ones without a background goroutine.
// When a new key finds the
// limiter full, the key touched least recently is dropped even if it
// still holds counts: under a flood of new clients the oldest are
// forgotten first, and a blocked client that keeps knocking stays
// remembered.
//
// Keys are told apart by a 64-bit hash with a random seed per limiter, so
// two keys share counts with odds of about one in 2^64 per pair, which no
// client can steer. The keys are spread over several independently
// locked shards, each holding its share of MaxKeys and dropping its own
// least recently touched key.
type MemoryLimiter struct {
	seed   maphash.Seed
	clock  func() time.Time
	start  time.Time
	shards []memoryShard
}

// NewMemoryLimiter returns a MemoryLimiter. It panics on a negative
// MaxKeys.
func NewMemoryLimiter(cfg MemoryLimiterConfig) *MemoryLimiter {
	if cfg.MaxKeys < 0 {
		panic("flexguard/middleware: MemoryLimiterConfig.MaxKeys is negative")
	}
	maxKeys := cfg.MaxKeys
	if maxKeys == 0 {
		maxKeys = DefaultMemoryLimiterKeys
	}
	clock := cfg.Clock
	if clock == nil {
		clock = time.Now
	}
	// Enough shards that two cores rarely wait for one lock, but each big
	// enough that dropping its own least recent key is close to dropping
	// the limiter's.
	shardCount := 64
	for shardCount > 1 && maxKeys/shardCount < 64 {
		shardCount /= 2
	}
	l := &MemoryLimiter{
		seed:   maphash.MakeSeed(),
		clock:  clock,
		start:  clock(),
		shards: make([]memoryShard, shardCount),
	}
	for i := range l.shards {
		l.shards[i].init(maxKeys / shardCount)
	}
	return l
}

// Allow implements [Limiter].
func (l *MemoryLimiter) Allow(_ context.Context, key string, rule LimitRule) (bool, error) {
	if err := rule.Validate(); err != nil {
		return false, err
	}
	hash := maphash.String(l.seed, key)
	s := l.shard(hash)
	now := l.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.allow(hash, now, rule), nil
}

// Blocked implements [Limiter].
func (l *MemoryLimiter) Blocked(_ context.Context, key string) (bool, error) {
	hash := maphash.String(l.seed, key)
	s := l.shard(hash)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.blocked(hash, l.now), nil
}

// Len is the number of keys held now.
func (l *MemoryLimiter) Len() int {
	n := 0
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.Lock()
		n += len(s.index)
		s.mu.Unlock()
	}
	return n
}

func (l *MemoryLimiter) shard(hash uint64) *memoryShard {
	return &l.shards[hash%uint64(len(l.shards))]
}

// now is the time in nanoseconds since the limiter was made, never
// negative, so that zero can mean "no block".
func (l *MemoryLimiter) now() int64 {
	return max(int64(l.clock().Sub(l.start)), 0)
}

// sweepPerInsert is how many keys a new key's Allow looks at for being
// spent: more than the one key it adds, so spent keys drain faster than
// new ones come, and few enough that no request pays for a mass expiry.
const sweepPerInsert = 4

// memoryShard holds its keys in a slab of entries linked in order of last
// touch (head: most recent), with an index from key hash to slab slot.
// The index and the links are integers, not pointers, so the garbage
// collector scans little beyond the event rings however many keys there
// are.
type memoryShard struct {
	mu         sync.Mutex
	index      map[uint64]int32
	entries    []memoryEntry
	free       []int32
	head, tail int32
	hand       int32 // the next entry sweep looks at
	maxKeys    int
	_          [64]byte // keeps neighbouring shards' locks off one cache line
}

type memoryEntry struct {
	hash       uint64
	prev, next int32
	// blockedUntil is when the block ends, or 0.
	blockedUntil int64
	// spentAt is when the entry will hold nothing: its last counted event
	// has left the window and its block has ended.
	spentAt int64
	// events holds the times of the counted events still in the window,
	// oldest first, as a ring starting at first.
	events       []int64
	first, count int32
}

const noEntry = -1

func (s *memoryShard) init(maxKeys int) {
	s.index = make(map[uint64]int32)
	s.head, s.tail, s.hand = noEntry, noEntry, noEntry
	s.maxKeys = max(maxKeys, 1)
}

func (s *memoryShard) allow(hash uint64, now int64, rule LimitRule) bool {
	i, ok := s.index[hash]
	if !ok {
		s.sweep(now)
		i = s.insert(hash)
	}
	s.touch(i)
	e := &s.entries[i]
	if e.blockedUntil > now {
		return false
	}
	e.blockedUntil = 0
	e.dropUpTo(now - int64(rule.Window))
	if int(e.count) >= rule.Limit {
		return false
	}
	e.push(now, rule.Limit)
	e.spentAt = max(e.spentAt, now+int64(rule.Window))
	if rule.Block > 0 && int(e.count) >= rule.Limit {
		e.blockedUntil = now + int64(rule.Block)
		e.first, e.count = 0, 0
		e.spentAt = max(e.spentAt, e.blockedUntil)
	}
	return true
}

// blocked reads the clock only for a key under a block: most clients
// never failed, and most that did are not blocked.
func (s *memoryShard) blocked(hash uint64, now func() int64) bool {
	i, ok := s.index[hash]
	if !ok {
		return false
	}
	e := &s.entries[i]
	if e.blockedUntil == 0 {
		return false
	}
	if e.blockedUntil <= now() {
		e.blockedUntil = 0
		return false
	}
	// A blocked client that keeps knocking is the last to be dropped.
	s.touch(i)
	return true
}

// sweep moves the shard's hand a few entries along, from the least
// recently touched towards the most, wrapping round, and drops the spent
// entries it passes. Every entry is visited in turn, so a spent entry is
// dropped even when live ones were touched before it.
func (s *memoryShard) sweep(now int64) {
	for range sweepPerInsert {
		if s.hand == noEntry {
			s.hand = s.tail
		}
		i := s.hand
		if i == noEntry {
			return
		}
		s.hand = s.entries[i].prev
		if s.entries[i].spentAt <= now {
			s.remove(i)
		}
	}
}

// insert makes room if the shard is full, then adds an empty entry at
// the head.
func (s *memoryShard) insert(hash uint64) int32 {
	if len(s.index) >= s.maxKeys {
		s.remove(s.tail)
	}
	var i int32
	if n := len(s.free); n > 0 {
		i, s.free = s.free[n-1], s.free[:n-1]
	} else {
		if len(s.entries) == cap(s.entries) {
			// Grow by doubling, but never past the shard's share.
			grown := make([]memoryEntry, len(s.entries), min(max(2*cap(s.entries), 16), s.maxKeys))
			copy(grown, s.entries)
			s.entries = grown
		}
		s.entries = append(s.entries, memoryEntry{})
		i = int32(len(s.entries) - 1)
	}
	e := &s.entries[i]
	// Reuse a freed entry's small ring; a large one goes back to the heap.
	events := e.events[:cap(e.events)]
	if cap(events) > 64 {
		events = nil
	}
	*e = memoryEntry{hash: hash, prev: noEntry, next: noEntry, events: events}
	s.index[hash] = i
	s.linkFront(i)
	return i
}

func (s *memoryShard) remove(i int32) {
	s.unlink(i)
	delete(s.index, s.entries[i].hash)
	s.free = append(s.free, i)
}

func (s *memoryShard) touch(i int32) {
	if s.head != i {
		s.unlink(i)
		s.linkFront(i)
	}
}

func (s *memoryShard) linkFront(i int32) {
	e := &s.entries[i]
	e.prev, e.next = noEntry, s.head
	if s.head != noEntry {
		s.entries[s.head].prev = i
	}
	s.head = i
	if s.tail == noEntry {
		s.tail = i
	}
}

func (s *memoryShard) unlink(i int32) {
	e := &s.entries[i]
	if s.hand == i {
		s.hand = e.prev
	}
	if e.prev != noEntry {
		s.entries[e.prev].next = e.next
	} else {
		s.head = e.next
	}
	if e.next != noEntry {
		s.entries[e.next].prev = e.prev
	} else {
		s.tail = e.prev
	}
	e.prev, e.next = noEntry, noEntry
}

// dropUpTo forgets the events at or before cutoff: those that have left
// the window.
func (e *memoryEntry) dropUpTo(cutoff int64) {
	for e.count > 0 && e.events[e.first] <= cutoff {
		e.first = (e.first + 1) % int32(len(e.events))
		e.count--
	}
}

// push counts an event at t, growing the ring up to limit. Times never go
// backwards within a key, so the ring stays oldest first even with a clock
// that does.
func (e *memoryEntry) push(t int64, limit int) {
	size := int32(len(e.events))
	if e.count > 0 {
		t = max(t, e.events[(e.first+e.count-1)%size])
	}
	if e.count == size {
		grown := make([]int64, min(max(2*int(size), 1), limit))
		for k := range e.count {
			grown[k] = e.events[(e.first+k)%size]
		}
		e.events, e.first, size = grown, 0, int32(len(grown))
	}
	e.events[(e.first+e.count)%size] = t
	e.count++
}
