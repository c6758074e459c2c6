package inventory

import (
	"math"
	"strconv"

	"github.com/mailru/easyjson/jwriter"
)

// writeFloat64 writes f as encoding/json does: easyjson's jwriter formats
// with %g ("4.7e-05" where encoding/json writes "0.000047"). The generated
// code calls it in place of jwriter.Writer.Float64 (internal/jsonfloats
// rewrites the calls after generating).
func writeFloat64(w *jwriter.Writer, f float64) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		w.Float64(f) // easyjson's error, as encoding/json refuses them too
		return
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	var a [32]byte
	b := strconv.AppendFloat(a[:0], f, format, -1, 64)
	if format == 'e' {
		// Clean up e-09 to e-9, as encoding/json does.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	w.Raw(b, nil)
}
