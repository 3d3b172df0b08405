// Package extract reads the ONNX model zoo's MNIST model out of the Go
// source of github.com/owulveryck/onnx-go.
package extract

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// Module is the module whose source holds the model, at the version
// go.mod requires.
const Module = "github.com/owulveryck/onnx-go"

// SourceFile is the file, relative to the module's directory, whose
// function GetMnist returns the model as a string literal.
const SourceFile = "internal/examples/mnist/mnist_binary.go"

// ModuleDir returns the directory of Module in the module cache, as
// `go list -m` reports it (downloading the module if needed).
func ModuleDir() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", Module).Output()
	if err != nil {
		if ee, ok := errors.AsType[*exec.ExitError](err); ok {
			return "", fmt.Errorf("extract: go list -m %s: %v: %s", Module, err, ee.Stderr)
		}
		return "", fmt.Errorf("extract: go list -m %s: %w", Module, err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		return "", fmt.Errorf("extract: module %s is not downloaded (run go mod download %s)", Module, Module)
	}
	return dir, nil
}

// Model returns the bytes of the MNIST model from the onnx-go source in
// moduleDir.
func Model(moduleDir string) ([]byte, error) {
	path := filepath.Join(moduleDir, SourceFile)
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		return nil, fmt.Errorf("extract: %w", err)
	}
	var lit *ast.BasicLit
	for _, d := range f.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok && fn.Name.Name == "GetMnist" {
			for n := range ast.Preorder(fn.Body) {
				if b, ok := n.(*ast.BasicLit); ok && b.Kind == token.STRING && lit == nil {
					lit = b
				}
			}
		}
	}
	if lit == nil {
		return nil, fmt.Errorf("extract: %s: no string literal in GetMnist", path)
	}
	s, err := strconv.Unquote(lit.Value)
	if err != nil {
		return nil, fmt.Errorf("extract: %s: %w", path, err)
	}
	return []byte(s), nil
}
