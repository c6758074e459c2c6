package client

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestWindow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		b    Backoff
		n    int
		want time.Duration
	}{
		{Backoff{}, 0, DefaultBase},
		{Backoff{}, 5, 32 * time.Second},
		{Backoff{}, 6, DefaultCap},
		{Backoff{}, 1000, DefaultCap},
		{Backoff{Base: 50 * time.Millisecond, Cap: time.Second}, 0, 50 * time.Millisecond},
		{Backoff{Base: 50 * time.Millisecond, Cap: time.Second}, 3, 400 * time.Millisecond},
		{Backoff{Base: 50 * time.Millisecond, Cap: time.Second}, 4, 800 * time.Millisecond},
		{Backoff{Base: 50 * time.Millisecond, Cap: time.Second}, 5, time.Second},
		{Backoff{Base: 2 * time.Second, Cap: time.Second}, 0, time.Second},
		{Backoff{Base: 1, Cap: 1<<63 - 1}, 62, 1 << 62},
		{Backoff{Base: 1, Cap: 1<<63 - 1}, 63, 1<<63 - 1},
		{Backoff{Base: 1, Cap: 1<<63 - 1}, 64, 1<<63 - 1},
	}
	for _, tt := range tests {
		if got := tt.b.Window(tt.n); got != tt.want {
			t.Errorf("%+v.Window(%d) = %v, want %v", tt.b, tt.n, got, tt.want)
		}
	}
}

// TestDelayIsFullJitter checks that Delay draws uniformly over the whole
// window [0, Window(n)]: each tenth of the window gets its share of draws.
func TestDelayIsFullJitter(t *testing.T) {
	t.Parallel()
	b := Backoff{Base: 100 * time.Millisecond, Cap: 10 * time.Second, Rand: rand.New(rand.NewPCG(1, 2))}
	for _, n := range []int{0, 3, 10} {
		w := b.Window(n)
		const draws = 20000
		var deciles [10]int
		var sum time.Duration
		for range draws {
			d := b.Delay(n)
			if d < 0 || d > w {
				t.Fatalf("Delay(%d) = %v outside [0, %v]", n, d, w)
			}
			sum += d
			deciles[min(int(10*d/(w+1)), 9)]++
		}
		// Uniform: each decile expects 2000 draws, sd ≈ 42; 1800..2200 is
		// about five sd either way (the seed is fixed: no flakiness).
		for i, c := range deciles {
			if c < 1800 || c > 2200 {
				t.Errorf("n=%d: decile %d got %d of %d draws: not uniform (%v)", n, i, c, draws, deciles)
			}
		}
		if mean := sum / draws; mean < w*45/100 || mean > w*55/100 {
			t.Errorf("n=%d: mean delay %v, want about %v", n, mean, w/2)
		}
	}
}

func TestJitterZero(t *testing.T) {
	t.Parallel()
	if d := Jitter(nil, 0); d != 0 {
		t.Errorf("Jitter(0) = %v", d)
	}
	if d := Jitter(nil, -time.Second); d != 0 {
		t.Errorf("Jitter(-1s) = %v", d)
	}
}

func FuzzBackoff(f *testing.F) {
	f.Add(int64(time.Second), int64(time.Minute), 3, uint64(1))
	f.Add(int64(0), int64(0), 0, uint64(2))
	f.Add(int64(1), int64(1<<63-1), 70, uint64(3))
	f.Add(int64(-5), int64(10), 1<<30, uint64(4))
	f.Fuzz(func(t *testing.T, base, ceiling int64, n int, seed uint64) {
		if n < 0 {
			n = -n
		}
		b := Backoff{Base: time.Duration(base), Cap: time.Duration(ceiling), Rand: rand.New(rand.NewPCG(seed, seed))}
		w := b.Window(n)
		limit := b.Cap
		if limit <= 0 {
			limit = DefaultCap
		}
		if w <= 0 || w > limit {
			t.Fatalf("Window(%d) = %v outside (0, %v]", n, w, limit)
		}
		if n > 0 && b.Window(n-1) > w {
			t.Fatalf("Window shrank: %v then %v", b.Window(n-1), w)
		}
		if d := b.Delay(n); d < 0 || d > w {
			t.Fatalf("Delay(%d) = %v outside [0, %v]", n, d, w)
		}
	})
}
