package agent

// inBackground runs release, the closing of a device the agent is done
// with, without waiting for it; Register and Run wait for every release
// before they return. Closing can take long for what it does: Linux's
// /dev/ipmi0 waits for an RCU grace period (~12 ms in the project's TCG
// guest, docs/bmc.md), and a prepared TPM activation flushes what it
// loaded, a few TPM commands; a raw /dev/tpm0 keeps what is not flushed
// until the TPM restarts, hence the wait before the agent exits.
func (a *Agent) inBackground(release func()) {
	a.releases.Add(1)
	go func() {
		defer a.releases.Done()
		release()
	}()
}
