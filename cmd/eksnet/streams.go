package main

import (
	"bytes"
	"errors"
	"io"
	"os"

	"github.com/mattn/go-isatty"
)

// Streams are a command's input and outputs, injected so tests capture them.
type Streams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
	// ErrIsTerminal reports whether Err is a terminal (progress lines go there only then).
	ErrIsTerminal bool
}

// SystemStreams are the process's standard streams. A standard output that
// was closed at start fails every write, so that the command fails instead
// of succeeding unseen.
func SystemStreams() *Streams {
	var out io.Writer = os.Stdout
	if stdoutWasClosed() {
		out = closedWriter{}
	}
	return &Streams{
		In: os.Stdin, Out: out, Err: os.Stderr,
		ErrIsTerminal: isatty.IsTerminal(os.Stderr.Fd()) || isatty.IsCygwinTerminal(os.Stderr.Fd()),
	}
}

// closedWriter is a standard output that was closed.
type closedWriter struct{}

func (closedWriter) Write([]byte) (int, error) {
	return 0, errors.New("standard output is closed: nothing could be written")
}

// TestStreams returns streams backed by buffers, and the buffers.
func TestStreams() (s *Streams, in, out, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &Streams{In: in, Out: out, Err: errOut}, in, out, errOut
}
