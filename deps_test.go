package prime_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rootDeps are the packages outside the standard library that package
// prime depends on, itself included: bitset, gonum's statistics, the Go
// team's weighted semaphore (Run's memory budget), and the module's
// mining, stats and records scanner. The root package is
// what a go test that gates on failure modes imports, so it stays light:
// the HTML report (package htmlreport), image codecs beyond the standard
// library's and the ONNX plug-ins live elsewhere.
var rootDeps = []string{
	"github.com/bits-and-blooms/bitset",
	"github.com/failmodes/prime",
	"github.com/failmodes/prime/internal/jsonl",
	"github.com/failmodes/prime/mining",
	"github.com/failmodes/prime/stats",
	"golang.org/x/sync/semaphore",
	"gonum.org/v1/gonum/blas",
	"gonum.org/v1/gonum/blas/blas64",
	"gonum.org/v1/gonum/blas/cblas128",
	"gonum.org/v1/gonum/blas/gonum",
	"gonum.org/v1/gonum/floats",
	"gonum.org/v1/gonum/floats/scalar",
	"gonum.org/v1/gonum/internal/asm/c128",
	"gonum.org/v1/gonum/internal/asm/c64",
	"gonum.org/v1/gonum/internal/asm/f32",
	"gonum.org/v1/gonum/internal/asm/f64",
	"gonum.org/v1/gonum/internal/cmplx64",
	"gonum.org/v1/gonum/internal/math32",
	"gonum.org/v1/gonum/lapack",
	"gonum.org/v1/gonum/lapack/gonum",
	"gonum.org/v1/gonum/lapack/lapack64",
	"gonum.org/v1/gonum/mat",
	"gonum.org/v1/gonum/mathext",
	"gonum.org/v1/gonum/mathext/internal/amos",
	"gonum.org/v1/gonum/mathext/internal/cephes",
	"gonum.org/v1/gonum/mathext/internal/gonum",
	"gonum.org/v1/gonum/optimize/convex/lp",
	"gonum.org/v1/gonum/stat",
	"gonum.org/v1/gonum/stat/combin",
	"gonum.org/v1/gonum/stat/distuv",
}

// TestRootDependencies lists the packages outside the standard library
// that package prime depends on, as go list -deps does, and fails when
// one is added to or gone from rootDeps: a new dependency of the root
// package is a decision, taken by changing the list.
func TestRootDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}",
		"github.com/failmodes/prime").Output()
	require.NoError(t, err, "go list")
	got := strings.Fields(string(out))
	slices.Sort(got)
	for _, p := range got {
		assert.True(t, slices.Contains(rootDeps, p), "package prime now depends on %s: keep it out, or add it to rootDeps", p)
	}
	for _, p := range rootDeps {
		assert.True(t, slices.Contains(got, p), "package prime no longer depends on %s: remove it from rootDeps", p)
	}
	assert.LessOrEqual(t, len(got), 30, "packages outside the standard library")
}
