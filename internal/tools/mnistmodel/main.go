// Command mnistmodel extracts the ONNX model zoo's MNIST classifier from
// the source of github.com/owulveryck/onnx-go v0.5.0, where it ships as a
// Go string literal (internal/examples/mnist/mnist_binary.go, function
// GetMnist), and writes it as an ONNX file.
//
// Usage, from the module root:
//
//	go run ./internal/tools/mnistmodel -o testdata/mnist/model.onnx
//
// It finds onnx-go's module directory with `go list -m`, parses the file
// with go/parser and unquotes the literal, so the output is byte for byte
// the model onnx-go's own tests run; it prints the file's SHA-256.
package main

import (
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/failmodes/prime/internal/outfile"
	"github.com/failmodes/prime/internal/tools/mnistmodel/extract"
)

func main() {
	out := flag.String("o", "testdata/mnist/model.onnx", "output `file`")
	src := flag.String("src", "", "onnx-go's module `directory` (default: from go list -m)")
	flag.Parse()
	if err := run(*out, *src); err != nil {
		fmt.Fprintln(os.Stderr, "mnistmodel:", err)
		os.Exit(1)
	}
}

func run(out, src string) error {
	if src == "" {
		var err error
		if src, err = extract.ModuleDir(); err != nil {
			return err
		}
	}
	data, err := extract.Model(src)
	if err != nil {
		return err
	}
	if err := outfile.WriteFile(out, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
		return err
	}
	fmt.Printf("%s: %d bytes, sha256 %x\n", out, len(data), sha256.Sum256(data))
	return nil
}
