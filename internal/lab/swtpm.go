package lab

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/hwagent/hwagent/internal/testutil"
)

// SWTPMConfig chooses the software TPM StartSWTPM runs.
type SWTPMConfig struct {
	// StateDir holds the TPM's state, its endorsement seed among it: the
	// same directory is the same TPM (the "same machine" after a reboot),
	// a new one another TPM. Empty means a fresh t.TempDir().
	StateDir string
	// Manufacture runs swtpm_setup on a new state first, the way a TPM
	// leaves the factory: an RSA-2048 EK persisted at 0x81010001 with its
	// certificate in NV index 0x01c00002, and an ECC P-384 EK with its
	// certificate, both signed by a local CA kept in the lab's cache.
	// Without it the TPM has no EK certificate and no persistent EK.
	Manufacture bool
	// ForQEMU starts only the control channel, which QEMU's
	// -tpmdev emulator speaks (the guest's commands travel over it); the
	// TPM then ends when QEMU disconnects. Without it the TPM also listens
	// for raw TPM commands on Socket, already started (TPM2_Startup done).
	ForQEMU bool
}

// SoftwareTPM is a running swtpm.
type SoftwareTPM struct {
	// StateDir is the TPM's state directory.
	StateDir string
	// Socket is the Unix socket that takes raw TPM 2.0 commands (one
	// command, then its response; swtpm --server type=unixio), empty with
	// ForQEMU.
	Socket string
	// Ctrl is the control channel's Unix socket (Socket + ".ctrl", which
	// is where tpm2-tools' swtpm TCTI looks for it).
	Ctrl string

	cmd    *exec.Cmd
	out    *testutil.LockedBuffer
	exited chan error
}

// StartSWTPM starts swtpm (Debian's swtpm; swtpm-tools for Manufacture) as
// a TPM 2.0 and stops it when the test ends. It needs the SWTPM
// capability. The sockets live in a short temporary directory: Unix
// socket paths are limited to 107 bytes, which t.TempDir() under a long
// test name can exceed.
func StartSWTPM(t testing.TB, cfg SWTPMConfig) *SoftwareTPM {
	t.Helper()
	Need(t, SWTPM)
	state := cfg.StateDir
	if state == "" {
		state = t.TempDir()
	}
	if err := os.MkdirAll(state, 0o755); err != nil {
		t.Fatal(err)
	}
	if cfg.Manufacture {
		if err := manufactureSWTPM(t, state); err != nil {
			t.Fatal(err)
		}
	}
	sockDir, err := os.MkdirTemp("", "swtpm-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sockDir) })
	s := &SoftwareTPM{StateDir: state, out: &testutil.LockedBuffer{}, exited: make(chan error, 1)}
	sock := filepath.Join(sockDir, "tpm")
	s.Ctrl = sock + ".ctrl"
	args := []string{"socket", "--tpm2", "--tpmstate", "dir=" + state, "--ctrl", "type=unixio,path=" + s.Ctrl}
	if !cfg.ForQEMU {
		s.Socket = sock
		args = append(args, "--server", "type=unixio,path="+sock, "--flags", "not-need-init,startup-clear")
	}
	s.cmd = exec.Command("swtpm", args...)
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start swtpm: %v", err)
	}
	go func() { s.exited <- s.cmd.Wait() }()
	t.Cleanup(s.stop)
	wait := s.Ctrl
	if s.Socket != "" {
		wait = s.Socket
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c, err := net.Dial("unix", wait); err == nil {
			c.Close()
			break
		}
		select {
		case err := <-s.exited:
			s.exited <- err
			t.Fatalf("swtpm exited: %v\n%s", err, s.out)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("swtpm does not listen on %s after 10 s:\n%s", wait, s.out)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return s
}

// Stop ends swtpm (its state stays in StateDir for the next one to start
// from: one swtpm at a time may hold a state directory). Stopping twice,
// or after swtpm ended by itself, does nothing.
func (s *SoftwareTPM) Stop() { s.stop() }

// stop ends swtpm unless it ended by itself (ForQEMU: when QEMU went).
func (s *SoftwareTPM) stop() {
	select {
	case err := <-s.exited:
		s.exited <- err
		return
	default:
	}
	s.cmd.Process.Kill()
	s.cmd.Process.Signal(syscall.SIGCONT)
	err := <-s.exited
	s.exited <- err
}

// Wait waits for swtpm to exit (with ForQEMU it exits when QEMU
// disconnects), at most d.
func (s *SoftwareTPM) Wait(d time.Duration) error {
	select {
	case err := <-s.exited:
		s.exited <- err
		return nil
	case <-time.After(d):
		return fmt.Errorf("swtpm still runs after %s", d)
	}
}

// Pause stops swtpm (SIGSTOP): it keeps its sockets, takes connections
// into the kernel's backlog and answers nothing, a TPM that hangs.
func (s *SoftwareTPM) Pause() error { return s.cmd.Process.Signal(syscall.SIGSTOP) }

// Resume continues a paused swtpm (SIGCONT).
func (s *SoftwareTPM) Resume() error { return s.cmd.Process.Signal(syscall.SIGCONT) }

// Log is what swtpm printed so far.
func (s *SoftwareTPM) Log() string { return s.out.String() }

// TCTI is the tpm2-tools TCTI string for this TPM (TPM2TOOLS_TCTI or -T),
// empty with ForQEMU.
func (s *SoftwareTPM) TCTI() string {
	if s.Socket == "" {
		return ""
	}
	return "swtpm:path=" + s.Socket
}

// QEMUArgs attach the TPM to a guest as a TIS device (ForQEMU): the
// Debian kernel sees it as /dev/tpm0 and /dev/tpmrm0.
func (s *SoftwareTPM) QEMUArgs() []string {
	return []string{
		"-chardev", "socket,id=chrtpm,path=" + s.Ctrl,
		"-tpmdev", "emulator,id=tpm0,chardev=chrtpm",
		"-device", "tpm-tis,tpmdev=tpm0",
	}
}

// manufactureSWTPM runs swtpm_setup on a state directory that has no TPM
// state yet; an existing state is left alone (it is the same TPM). The
// local CA that signs the EK certificates lives in the lab's cache and is
// created once (swtpm_localca locks it).
func manufactureSWTPM(t testing.TB, state string) error {
	if _, err := os.Stat(filepath.Join(state, "tpm2-00.permall")); err == nil {
		return nil
	}
	cache, err := CacheDir()
	if err != nil {
		return err
	}
	ca := filepath.Join(cache, "swtpm-localca")
	if err := os.MkdirAll(ca, 0o755); err != nil {
		return err
	}
	dir := t.TempDir()
	localca := filepath.Join(dir, "swtpm-localca.conf")
	setup := filepath.Join(dir, "swtpm_setup.conf")
	files := map[string]string{
		localca: fmt.Sprintf("statedir = %[1]s\nsigningkey = %[1]s/signkey.pem\nissuercert = %[1]s/issuercert.pem\ncertserial = %[1]s/certserial\n", ca),
		setup: "create_certs_tool = /usr/bin/swtpm_localca\ncreate_certs_tool_config = " + localca +
			"\ncreate_certs_tool_options = " + filepath.Join(dir, "swtpm-localca.options") + "\nactive_pcr_banks = sha256\n",
		filepath.Join(dir, "swtpm-localca.options"): "--platform-manufacturer hwagent-lab\n--platform-version 2.1\n--platform-model QEMU\n",
	}
	for name, data := range files {
		if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
			return err
		}
	}
	out, err := exec.Command("swtpm_setup", "--tpm2", "--tpmstate", state, "--create-ek-cert", "--config", setup).CombinedOutput()
	if err != nil {
		return fmt.Errorf("swtpm_setup: %w\n%s", err, out)
	}
	return nil
}
