package atomicfile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Pending is data written to a temporary file beside its target, not yet
// in place: Commit puts it there, Abort removes it.
type Pending struct {
	path   string // as the user gave it, for messages
	target string // the file renamed over: path, or what its symlink points at
	tmp    string
	done   bool
}

// Write replaces path with data (Prepare, then Commit).
func Write(ctx context.Context, path string, data []byte) error {
	p, err := Prepare(path, data)
	if err != nil {
		return err
	}
	return p.Commit(ctx)
}

// Prepare writes data to a synced temporary file beside path's target,
// with the target's mode and owner. Errors read "cannot write PATH: REASON"
// and never name the temporary file.
func Prepare(path string, data []byte) (_ *Pending, err error) {
	target, existing, err := resolve(path)
	if err != nil {
		return nil, err
	}
	fail := func(reason error) error { return fmt.Errorf("cannot write %s: %w", path, reason) }
	removeLeftovers(target)
	tmp, err := os.CreateTemp(filepath.Dir(target), tempPrefix(target)+"*")
	if err != nil {
		return nil, fail(cause(err))
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return nil, fail(cause(err))
	}
	mode := fs.FileMode(0o644)
	if existing != nil {
		mode = existing.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
		keepOwner(tmp, existing) // before the mode: chown clears setuid
	}
	if err = tmp.Chmod(mode); err != nil {
		return nil, fail(cause(err))
	}
	if err = tmp.Sync(); err != nil {
		return nil, fail(cause(err))
	}
	if err = tmp.Close(); err != nil {
		return nil, fail(cause(err))
	}
	return &Pending{path: path, target: target, tmp: tmp.Name()}, nil
}

// Commit renames the temporary file over the target, unless ctx is done
// (an interrupt): then the target keeps its old bytes.
func (p *Pending) Commit(ctx context.Context) error {
	if p.done {
		return fmt.Errorf("cannot write %s: already committed or aborted", p.path)
	}
	p.done = true
	if err := ctx.Err(); err != nil {
		os.Remove(p.tmp)
		return fmt.Errorf("interrupted: %s left as it was: %w", p.path, err)
	}
	if err := os.Rename(p.tmp, p.target); err != nil {
		os.Remove(p.tmp)
		return fmt.Errorf("cannot write %s: %w", p.path, cause(err))
	}
	return nil
}

// Abort removes the temporary file; the target keeps its old bytes.
func (p *Pending) Abort() {
	if !p.done {
		p.done = true
		os.Remove(p.tmp)
	}
}

// Check reports, before any work is done, an error that Prepare would give
// for path: it is a directory or not a regular file, it is read-only, or its
// directory does not exist.
func Check(path string) error {
	_, _, err := resolve(path)
	return err
}

// resolve returns the file to rename over (path, or the file a symlink at
// path points to) and its FileInfo when it exists.
func resolve(path string) (target string, existing fs.FileInfo, err error) {
	fail := func(reason error) error { return fmt.Errorf("cannot write %s: %w", path, reason) }
	target = path
	if info, err := os.Lstat(path); err == nil && info.Mode()&fs.ModeSymlink != 0 {
		resolved, err := filepath.EvalSymlinks(path)
		if err != nil {
			return "", nil, fail(fmt.Errorf("it is a symlink that leads nowhere (%w)", cause(err)))
		}
		target = resolved
	}
	info, statErr := os.Stat(target)
	switch {
	case statErr == nil && info.IsDir():
		return "", nil, fail(errors.New("it is a directory"))
	case statErr == nil && !info.Mode().IsRegular():
		return "", nil, fail(errors.New("not a regular file"))
	case statErr == nil && info.Mode().Perm()&0o222 == 0:
		return "", nil, fail(fmt.Errorf("it is read-only (mode %04o): make it writable, or choose another file", info.Mode().Perm()))
	case statErr == nil:
		return target, info, nil
	}
	dir := filepath.Dir(target)
	switch info, err := os.Stat(dir); {
	case errors.Is(err, fs.ErrNotExist):
		return "", nil, fail(fmt.Errorf("directory %s does not exist", dir))
	case err != nil:
		return "", nil, fail(cause(err))
	case !info.IsDir():
		return "", nil, fail(fmt.Errorf("%s is not a directory", dir))
	case !errors.Is(statErr, fs.ErrNotExist):
		return "", nil, fail(cause(statErr))
	}
	return target, nil, nil
}

// tempPrefix names the temporary files of target: hidden, beside it.
func tempPrefix(target string) string { return "." + filepath.Base(target) + ".eksnet-tmp-" }

// removeLeftovers deletes temporary files of target that a killed run
// left behind (a SIGKILL runs no cleanup): eksnet never writes one target
// from two processes at once, so any such file is stale.
func removeLeftovers(target string) {
	dir := filepath.Dir(target)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	prefix := tempPrefix(target)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) && e.Type().IsRegular() {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// cause drops the file name of a *fs.PathError or *os.LinkError, which
// may be the temporary file's, and keeps what went wrong.
func cause(err error) error {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return pathErr.Err
	}
	var linkErr *os.LinkError
	if errors.As(err, &linkErr) {
		return linkErr.Err
	}
	return err
}
