package extract

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCommittedModelIsExtraction checks that testdata/mnist/model.onnx is
// exactly what the extraction produces from onnx-go's source.
func TestCommittedModelIsExtraction(t *testing.T) {
	dir, err := ModuleDir()
	require.NoError(t, err)
	got, err := Model(dir)
	require.NoError(t, err)
	want, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "testdata", "mnist", "model.onnx"))
	require.NoError(t, err)
	require.True(t, bytes.Equal(want, got), "testdata/mnist/model.onnx differs from a fresh extraction: run go run ./internal/tools/mnistmodel")
}
