package kit

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOddImages(t *testing.T) {
	for _, prefix := range []string{"taggertest", "classifiertest"} {
		t.Run(prefix, func(t *testing.T) {
			a, b := OddImages(prefix), OddImages(prefix)
			require.Len(t, a, 9)
			seen := make(map[string]bool)
			for i := range a {
				assert.True(t, strings.HasPrefix(a[i].ID, prefix+"/"), a[i].ID)
				assert.False(t, seen[a[i].ID], "repeated id %s", a[i].ID)
				seen[a[i].ID] = true
				assert.Equal(t, a[i], b[i], "not the same on every call")
			}
		})
	}
}
