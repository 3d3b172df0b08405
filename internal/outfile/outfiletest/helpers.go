package outfiletest

import (
	"os"
	"testing"
)

// Names returns the names in the folder dir, in order: what a test checks
// holds no temporary file, nor anything half written.
func Names(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// ReadPipe reads, on a goroutine of its own, everything written to the
// named pipe at path until its writer closes it, and sends it (or the
// error of the open) on the channel it returns. Opening a pipe waits for
// a writer: the test writes once ReadPipe has started.
func ReadPipe(path string) <-chan string {
	got := make(chan string, 1)
	go func() {
		b, err := os.ReadFile(path)
		if err != nil {
			got <- err.Error()
			return
		}
		got <- string(b)
	}()
	return got
}
