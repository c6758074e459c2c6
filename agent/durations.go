package agent

import "time"

// Ranges of the durations a server gives the agent. A value outside is
// clamped to the nearest bound (and logged), so that a broken or hostile
// server can neither overflow a time.Duration (10^10 s made the interval
// negative: check-ins in a tight loop) nor park the agent for years.
const (
	// MinCheckinInterval and MaxCheckinInterval bound checkin_interval_seconds.
	MinCheckinInterval = time.Second
	MaxCheckinInterval = time.Hour
	// MaxLLDPWait bounds the pushed lldp_wait_seconds (0 turns LLDP off).
	MaxLLDPWait = 10 * time.Minute
)

// clampSeconds turns a server's number of seconds into a duration within
// [min, max], without overflowing on the way.
func clampSeconds(secs int, min, max time.Duration) time.Duration {
	switch {
	case secs <= int(min/time.Second):
		return min
	case secs >= int(max/time.Second):
		return max
	}
	return time.Duration(secs) * time.Second
}

// serverInterval applies a check-in interval from the server; 0 (absent)
// keeps the current one.
func (a *Agent) serverInterval(secs int) {
	if secs == 0 {
		return
	}
	d := clampSeconds(secs, MinCheckinInterval, MaxCheckinInterval)
	if secs < int(MinCheckinInterval/time.Second) || secs > int(MaxCheckinInterval/time.Second) {
		a.logger.Warn("the server's check-in interval is out of range; clamped", "seconds", secs, "interval", d)
	}
	a.interval = d
}
