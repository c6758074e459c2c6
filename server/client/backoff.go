package client

import (
	"math/rand/v2"
	"time"
)

// Backoff is a capped exponential backoff with full jitter: the wait before
// retry n (n = 0 for the first retry) is uniform in
// [0, min(Cap, Base·2ⁿ)], as in "Exponential Backoff And Jitter" (AWS
// Architecture Blog, 2015). Full jitter spreads a rack of machines that
// failed together over the whole window instead of bringing them back as one
// spike.
type Backoff struct {
	// Base is the window of the first retry; 0 means DefaultBase.
	Base time.Duration
	// Cap bounds the window; 0 means DefaultCap.
	Cap time.Duration
	// Rand draws the jitter; nil means the global math/rand/v2 source.
	Rand Rand
}

// Rand is the random source Backoff draws from; *math/rand/v2.Rand
// implements it.
type Rand interface {
	// Int64N returns a uniform value in [0, n); n > 0.
	Int64N(n int64) int64
}

// Defaults for Backoff.
const (
	DefaultBase = time.Second
	DefaultCap  = time.Minute
)

type globalRand struct{}

func (globalRand) Int64N(n int64) int64 { return rand.Int64N(n) }

// Window returns the upper bound of the wait before retry n: min(Cap, Base·2ⁿ).
func (b Backoff) Window(n int) time.Duration {
	base, ceiling := b.Base, b.Cap
	if base <= 0 {
		base = DefaultBase
	}
	if ceiling <= 0 {
		ceiling = DefaultCap
	}
	if base >= ceiling {
		return ceiling
	}
	w := base
	for i := 0; i < n; i++ {
		if w >= ceiling/2 {
			return ceiling
		}
		w *= 2
	}
	return w
}

// Delay returns the jittered wait before retry n, uniform in [0, Window(n)].
func (b Backoff) Delay(n int) time.Duration {
	return Jitter(b.Rand, b.Window(n))
}

// Jitter returns a uniform duration in [0, max] drawn from r (nil: the
// global source). It is also the random start delay of a booting agent.
func Jitter(r Rand, max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	if r == nil {
		r = globalRand{}
	}
	if max == time.Duration(1<<63-1) {
		return time.Duration(r.Int64N(int64(max)))
	}
	return time.Duration(r.Int64N(int64(max) + 1))
}
