package inputs

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// Limits of the files eksnet reads, far above any real one.
const (
	MaxPlanFile    = 1 << 20   // a plan file: a few KB in practice
	MaxSubnetsFile = 64 << 20  // aws ec2 describe-subnets: about 1 KB a subnet
	MaxDaemonSet   = 4 << 20   // kubectl get ds aws-node -o yaml: about 10 KB
	MaxTableFile   = 16 << 20  // an instance table: about 400 KB
	MaxClusterFile = 256 << 20 // kubectl get nodes -o json, describe-network-interfaces of a large cluster
)

// TooLargeError says that an input passed its limit.
type TooLargeError struct {
	Name  string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %d MiB, more than eksnet reads: is it the right file?", e.Name, e.Limit>>20)
}

// Read reads the file at path, or stdin for "-", up to limit bytes. name
// says what the file is in errors ("--subnets-file subnets.json"). A path
// that is not a regular file (a FIFO, a device, a directory) is refused
// before it is opened for reading, so that nothing blocks.
func Read(path string, stdin io.Reader, limit int64, name string) ([]byte, error) {
	if path == "-" {
		if stdin == nil {
			return nil, fmt.Errorf("%s: no standard input", name)
		}
		return readAtMost(stdin, limit, name)
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, plainPathError(err))
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %s is %s, not a regular file", name, path, kind(info.Mode()))
	}
	if info.Size() > limit {
		return nil, &TooLargeError{Name: name, Limit: limit}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, plainPathError(err))
	}
	defer f.Close()
	return readAtMost(f, limit, name)
}

func readAtMost(r io.Reader, limit int64, name string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{Name: name, Limit: limit}
	}
	return data, nil
}

func kind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return "not a regular file"
}

// plainPathError drops the operation from a *PathError ("open x: no such
// file or directory" becomes "x: no such file or directory").
func plainPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
}
