package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Write replaces path with data atomically: the bytes go to a temporary file
// in the same directory, which is synced and renamed over path. On any
// failure path keeps its old bytes and no temporary file is left behind. An
// existing file keeps its permissions; a new one gets 0644. Errors read
// "cannot write PATH: REASON" and never name the temporary file.
func Write(path string, data []byte) (err error) {
	perm, err := check(path)
	if err != nil {
		return err
	}
	fail := func(reason error) error { return fmt.Errorf("cannot write %s: %w", path, reason) }
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fail(cause(err))
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return fail(cause(err))
	}
	if err = tmp.Chmod(perm); err != nil {
		return fail(cause(err))
	}
	if err = tmp.Sync(); err != nil {
		return fail(cause(err))
	}
	if err = tmp.Close(); err != nil {
		return fail(cause(err))
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fail(cause(err))
	}
	return nil
}

// Check reports, before any work is done, an error that Write would give
// for path: it is a directory or not a regular file, or its directory does
// not exist.
func Check(path string) error {
	_, err := check(path)
	return err
}

// check returns the permissions Write gives path: its own, or 0644 for a
// new file.
func check(path string) (fs.FileMode, error) {
	fail := func(reason error) error { return fmt.Errorf("cannot write %s: %w", path, reason) }
	info, statErr := os.Stat(path)
	switch {
	case statErr == nil && info.IsDir():
		return 0, fail(errors.New("it is a directory"))
	case statErr == nil && !info.Mode().IsRegular():
		return 0, fail(errors.New("not a regular file"))
	case statErr == nil:
		return info.Mode().Perm(), nil
	}
	dir := filepath.Dir(path)
	switch info, err := os.Stat(dir); {
	case errors.Is(err, fs.ErrNotExist):
		return 0, fail(fmt.Errorf("directory %s does not exist", dir))
	case err != nil:
		return 0, fail(cause(err))
	case !info.IsDir():
		return 0, fail(fmt.Errorf("%s is not a directory", dir))
	case !errors.Is(statErr, fs.ErrNotExist):
		return 0, fail(cause(statErr))
	}
	return 0o644, nil
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
