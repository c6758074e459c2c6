//go:build !noserver

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"

	"github.com/spf13/pflag"

	"github.com/hwagent/hwagent/export"
	"github.com/hwagent/hwagent/export/plan"
	"github.com/hwagent/hwagent/export/tinkerbell"
	"github.com/hwagent/hwagent/kube"
)

// applyFlags are export tinkerbell's --apply flags.
type applyFlags struct {
	apply bool
	kubeFlags
}

func (a *applyFlags) bind(fs *pflag.FlagSet) {
	fs.BoolVar(&a.apply, "apply", false, "server-side apply the objects to Kubernetes (field manager hwagent) instead of writing YAML; needs --kubeconfig")
	a.kubeFlags.bind(fs, "")
}

// applyWriter spools each machine's objects as one JSON line (Secret,
// Machine, then the Hardware that names them) for applyObjects, which runs
// only once every machine was exported.
type applyWriter struct {
	tw  *tinkerbell.Writer
	enc *json.Encoder
}

func newApplyWriter(w io.Writer, p *plan.Plan) export.Writer {
	return &applyWriter{tw: tinkerbell.NewWriter(nil, p.Namespace, p.FacilityCode), enc: json.NewEncoder(w)}
}

func (a *applyWriter) Begin(export.Columns) error { return nil }
func (a *applyWriter) End() error                 { return nil }
func (a *applyWriter) WantsFacts() bool           { return true }

func (a *applyWriter) Write(m *export.Machine) error {
	objs := a.tw.Objects(m)
	for i, j := 0, len(objs)-1; i < j; i, j = i+1, j-1 {
		objs[i], objs[j] = objs[j], objs[i]
	}
	return a.enc.Encode(objs)
}

// applyObjects applies the spooled machines, four at a time, printing one
// line per object, and fails when any object failed or kept a conflict.
func (a *applyFlags) applyObjects(ctx context.Context, logger *slog.Logger, spool io.Reader, stdout io.Writer) error {
	client, err := a.client(logger)
	if err != nil {
		return err
	}
	var (
		mu                       sync.Mutex
		objects, failed, clashed int
		wg                       sync.WaitGroup
		sem                      = make(chan struct{}, 4)
	)
	report := func(line string) {
		mu.Lock()
		fmt.Fprintln(stdout, line)
		mu.Unlock()
	}
	sc := bufio.NewScanner(spool)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var machine []kube.Object
		if err := json.Unmarshal(sc.Bytes(), &machine); err != nil {
			return fmt.Errorf("export spool: %w", err)
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			for _, obj := range machine {
				res, err := client.Apply(ctx, obj)
				mu.Lock()
				objects++
				switch {
				case err != nil:
					failed++
				case len(res.Conflicts) > 0:
					clashed++
				}
				mu.Unlock()
				switch {
				case err != nil:
					report(res.Ref.String() + " failed: " + err.Error())
				case len(res.Conflicts) > 0:
					cs := make([]string, len(res.Conflicts))
					for i, c := range res.Conflicts {
						cs[i] = c.String()
					}
					report(res.Ref.String() + " applied, except fields other managers hold (left to them): " + strings.Join(cs, ", "))
				default:
					report(res.Ref.String() + " applied")
				}
			}
		}()
	}
	wg.Wait()
	if err := sc.Err(); err != nil {
		return fmt.Errorf("export spool: %w", err)
	}
	if failed+clashed > 0 {
		return fmt.Errorf("%d of %d objects failed, %d applied with conflicts (--force-conflicts takes the fields)", failed, objects, clashed)
	}
	logger.Info("applied", "objects", objects, "server", client.Host())
	return nil
}

func (a *applyFlags) check(output string) error {
	switch {
	case !a.apply && (a.kubeconfig != "" || a.context != "" || a.force):
		return errors.New("--kubeconfig, --context and --force-conflicts go with --apply")
	case a.apply && a.kubeconfig == "":
		return errors.New("--apply needs --kubeconfig (or HWAGENT_KUBECONFIG)")
	case a.apply && output != "":
		return errors.New("--apply writes to the cluster, not to -o")
	}
	return nil
}
