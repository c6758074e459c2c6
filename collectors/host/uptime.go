package host

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ErrBadUptime is wrapped by ParseUptime errors.
var ErrBadUptime = errors.New("bad /proc/uptime")

// ParseUptime returns the first field of /proc/uptime ("1217.27 2167.22"):
// seconds since boot.
func ParseUptime(data []byte) (float64, error) {
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return 0, fmt.Errorf("%w: empty", ErrBadUptime)
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%w: %q", ErrBadUptime, f[0])
	}
	return v, nil
}
