package main

import (
	"bytes"
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

// SystemStreams are the process's standard streams.
func SystemStreams() *Streams {
	return &Streams{
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		ErrIsTerminal: isatty.IsTerminal(os.Stderr.Fd()) || isatty.IsCygwinTerminal(os.Stderr.Fd()),
	}
}

// TestStreams returns streams backed by buffers, and the buffers.
func TestStreams() (s *Streams, in, out, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &Streams{In: in, Out: out, Err: errOut}, in, out, errOut
}
