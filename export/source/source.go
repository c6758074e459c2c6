package source

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/hwagent/hwagent/inventory"
)

// Ref is one inventory document an export reads. An export may load it
// twice (a hostname template reading .IP or .Index renders after a second
// read), so Load must return the same document each time.
type Ref struct {
	// Name identifies the document in messages (a path, a server machine ID).
	Name string
	// Load reads and decodes the document.
	Load func() (*inventory.Inventory, error)
	// Path, when set, is the file holding the document: an export may read
	// it into its own buffer (ReadFile) and decode only what it needs.
	Path string
	// MachineID, when set, is the machine ID the source knows the document
	// by (a server's): it replaces the document's identity.machine_id, the
	// ID its agent derived, which machines sharing a UUID share. Load
	// already applies it; whoever reads Path applies it (WithMachineID).
	MachineID string
}

// WithMachineID gives inv the machine ID of ref, when ref has one.
func (ref Ref) WithMachineID(inv *inventory.Inventory) *inventory.Inventory {
	if inv != nil && ref.MachineID != "" {
		inv.Identity.MachineID = ref.MachineID
	}
	return inv
}

// FileRef is the inventory document at path.
func FileRef(path string) Ref {
	return Ref{Name: path, Path: path, Load: func() (*inventory.Inventory, error) {
		buf := readBufs.Get().(*bytes.Buffer)
		defer readBufs.Put(buf)
		if err := ReadFile(path, buf); err != nil {
			return nil, err
		}
		return DecodeInventory(buf.Bytes())
	}}
}

// ReadFile reads a document's file into buf, replacing its contents.
func ReadFile(path string, buf *bytes.Buffer) error {
	buf.Reset()
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	if _, err := buf.ReadFrom(fh); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}

// readBufs are file buffers reused across documents: decoding copies what
// it keeps, so one buffer per goroutine serves a whole fleet.
var readBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// FileRefs expands command-line arguments: a file is one inventory, a
// directory stands for the *.json files in it (sorted by name, not
// recursive).
func FileRefs(args []string) ([]Ref, error) {
	var refs []Ref
	for _, a := range args {
		fi, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			refs = append(refs, FileRef(a))
			continue
		}
		ents, err := os.ReadDir(a)
		if err != nil {
			return nil, err
		}
		var names []string
		for _, e := range ents {
			if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") {
				names = append(names, e.Name())
			}
		}
		sort.Strings(names)
		for _, n := range names {
			refs = append(refs, FileRef(filepath.Join(a, n)))
		}
	}
	return refs, nil
}

// DecodeInventory decodes one inventory document and checks its schema
// version. Fields it does not know are ignored (a newer agent's additions).
func DecodeInventory(b []byte) (*inventory.Inventory, error) {
	var inv inventory.Inventory
	if err := json.Unmarshal(b, &inv); err != nil {
		return nil, fmt.Errorf("not an inventory document: %w", err)
	}
	if inv.SchemaVersion != inventory.SchemaVersion {
		return nil, fmt.Errorf("not an hwagent inventory: schema_version %q, want %q", inv.SchemaVersion, inventory.SchemaVersion)
	}
	return &inv, nil
}

// Spool copies the inventory documents of a stream (JSON documents one
// after another, as `cat *.json` gives, or one JSON array of them) into
// files in dir, one document each, and returns refs to them, so that a
// stream can be read twice while memory holds one document at a time.
// name prefixes the refs' names ("stdin" gives "stdin#1", "stdin#2"...).
func Spool(r io.Reader, dir, name string) ([]Ref, error) {
	var refs []Ref
	err := SplitDocuments(r, func(doc []byte) error {
		p := filepath.Join(dir, fmt.Sprintf("%06d.json", len(refs)+1))
		if err := os.WriteFile(p, doc, 0o600); err != nil {
			return err
		}
		r := FileRef(p)
		r.Name = fmt.Sprintf("%s#%d", name, len(refs)+1)
		refs = append(refs, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return refs, nil
}

// SplitDocuments calls fn with each JSON value of a stream of values, or
// of the elements of one JSON array, holding one value in memory at a time.
// The bytes passed to fn are only valid during the call.
func SplitDocuments(r io.Reader, fn func(doc []byte) error) error {
	br := bufio.NewReader(r)
	isArray := false
	for {
		c, err := br.ReadByte()
		if errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			continue
		}
		isArray = c == '['
		if err := br.UnreadByte(); err != nil {
			return err
		}
		break
	}
	dec := json.NewDecoder(br)
	if isArray {
		if _, err := dec.Token(); err != nil {
			return err
		}
	}
	for n := 1; ; n++ {
		if isArray && !dec.More() {
			if _, err := dec.Token(); err != nil {
				return err
			}
			if _, err := dec.Token(); !errors.Is(err, io.EOF) {
				return fmt.Errorf("data after the array")
			}
			return nil
		}
		var doc json.RawMessage
		err := dec.Decode(&doc)
		if !isArray && errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("document %d: %w", n, err)
		}
		if err := fn(doc); err != nil {
			return err
		}
	}
}
