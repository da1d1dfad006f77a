package workspace

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// FileBackend keeps the metadata in one JSON file in the data directory.
// Saves are atomic: the new state is written to a temporary file, synced,
// renamed over the old one, and the directory is synced, so a crash at any
// moment leaves either the old or the new state, whole. A lock file keeps
// two processes from editing the same metadata.
type FileBackend struct {
	dir  string
	lock *os.File
}

const (
	metadataFile = "metadata.json"
	lockFile     = "metadata.lock"
)

// ErrLocked is returned when another process holds the metadata.
var ErrLocked = errors.New("another callscope process is using this data directory")

// OpenFile opens (creating if needed) the metadata of a data directory and
// locks it for this process.
func OpenFile(dir string) (*FileBackend, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	lock, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w (%s): stop it, or reach it over HTTP with --url", ErrLocked, dir)
		}
		return nil, err
	}
	return &FileBackend{dir: dir, lock: lock}, nil
}

// Load reads the stored state; a data directory without metadata yields an
// empty state.
func (f *FileBackend) Load() (*State, error) {
	b, err := os.ReadFile(filepath.Join(f.dir, metadataFile))
	if errors.Is(err, os.ErrNotExist) {
		return &State{}, nil
	}
	if err != nil {
		return nil, err
	}
	var s State
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("reading %s: %w", filepath.Join(f.dir, metadataFile), err)
	}
	return &s, nil
}

// Save writes the state durably and atomically.
func (f *FileBackend) Save(s *State) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	final := filepath.Join(f.dir, metadataFile)
	tmp := final + ".tmp"
	w, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		w.Close()
		return err
	}
	if err := w.Sync(); err != nil {
		w.Close()
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, final); err != nil {
		return err
	}
	d, err := os.Open(f.dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Close releases the lock.
func (f *FileBackend) Close() error {
	syscall.Flock(int(f.lock.Fd()), syscall.LOCK_UN)
	return f.lock.Close()
}
