package onnxrun

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// LibraryVersion is the ONNX Runtime release that scripts/onnxruntime.sh
// fetches by default: its C API version, 24, is the one
// github.com/yalue/onnxruntime_go v1.27.0 asks for. Later releases serve
// that API too; earlier ones do not, and loading one fails.
const LibraryVersion = "1.24.3"

// LibraryEnv is the environment variable that names ONNX Runtime's
// shared library when Options.Library is "".
const LibraryEnv = "ONNXRUNTIME_LIB"

// howToGet says how to get the library.
const howToGet = "fetch it with scripts/onnxruntime.sh (the onnxruntime-node " + LibraryVersion +
	" package from npm, into a cache folder), or set " + LibraryEnv + " to a libonnxruntime of release " + LibraryVersion + " or later"

// cacheLibrary returns where scripts/onnxruntime.sh puts the library of
// LibraryVersion: $PRIME_CACHE, else $XDG_CACHE_HOME/prime, else
// ~/.cache/prime, then onnxruntime/VERSION/libonnxruntime.so.VERSION (on
// macOS libonnxruntime.VERSION.dylib). "" when there is no home folder.
func cacheLibrary() string {
	dir := os.Getenv("PRIME_CACHE")
	if dir == "" {
		if x := os.Getenv("XDG_CACHE_HOME"); x != "" {
			dir = filepath.Join(x, "prime")
		} else if home, err := os.UserHomeDir(); err == nil {
			dir = filepath.Join(home, ".cache", "prime")
		} else {
			return ""
		}
	}
	name := "libonnxruntime.so." + LibraryVersion
	if runtime.GOOS == "darwin" {
		name = "libonnxruntime." + LibraryVersion + ".dylib"
	}
	return filepath.Join(dir, "onnxruntime", LibraryVersion, name)
}

// LibraryPath returns the path of ONNX Runtime's shared library: lib when
// not "", else $ONNXRUNTIME_LIB, else the file scripts/onnxruntime.sh
// fetches. The file must exist; the error says how to get it.
func LibraryPath(lib string) (string, error) {
	from := "Library"
	if lib == "" {
		lib, from = os.Getenv(LibraryEnv), LibraryEnv
	}
	if lib == "" {
		lib, from = cacheLibrary(), ""
		if lib == "" {
			return "", fmt.Errorf("ONNX Runtime's shared library not found (no %s, no home folder): %s", LibraryEnv, howToGet)
		}
	}
	_, err := os.Stat(lib)
	switch {
	case err == nil:
		return lib, nil
	case from == "" && errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("ONNX Runtime's shared library not found (no %s, nothing at %s): %s", LibraryEnv, lib, howToGet)
	case from == "":
		return "", fmt.Errorf("ONNX Runtime's shared library: %w", err)
	default:
		return "", fmt.Errorf("ONNX Runtime's shared library (%s): %w: %s", from, err, howToGet)
	}
}
