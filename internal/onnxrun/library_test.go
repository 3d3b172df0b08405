package onnxrun

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLibraryPath(t *testing.T) {
	dir := t.TempDir()
	lib := filepath.Join(dir, "libonnxruntime.so")
	require.NoError(t, os.WriteFile(lib, []byte("not really"), 0o644))
	cache := filepath.Join(dir, "cache")
	cached := filepath.Join(cache, "onnxruntime", LibraryVersion, "libonnxruntime.so."+LibraryVersion)
	missing := filepath.Join(dir, "missing.so")
	tests := []struct {
		name          string
		opt, env, dir string
		want          string
		err           []string
	}{
		{"option", lib, missing, cache, lib, nil},
		{"environment", "", lib, cache, lib, nil},
		{"option missing", missing, lib, cache, "", []string{"(Library)", "missing.so", "scripts/onnxruntime.sh", "ONNXRUNTIME_LIB"}},
		{"environment missing", "", missing, cache, "", []string{"(ONNXRUNTIME_LIB)", "missing.so", "scripts/onnxruntime.sh"}},
		{"cache missing", "", "", cache, "", []string{"not found (no ONNXRUNTIME_LIB, nothing at " + cached + ")", "scripts/onnxruntime.sh", "onnxruntime-node " + LibraryVersion}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(LibraryEnv, tt.env)
			t.Setenv("PRIME_CACHE", tt.dir)
			got, err := LibraryPath(tt.opt)
			if tt.err != nil {
				for _, s := range tt.err {
					require.ErrorContains(t, err, s)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	t.Run("cache", func(t *testing.T) {
		require.NoError(t, os.MkdirAll(filepath.Dir(cached), 0o755))
		require.NoError(t, os.WriteFile(cached, nil, 0o644))
		t.Setenv(LibraryEnv, "")
		t.Setenv("PRIME_CACHE", cache)
		got, err := LibraryPath("")
		require.NoError(t, err)
		assert.Equal(t, cached, got)
	})
}
