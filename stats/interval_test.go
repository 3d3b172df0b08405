package stats

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInterval(t *testing.T) {
	textRoundTrip(t, []Interval{IntervalBootstrap, IntervalWilson, IntervalClopperPearson}, ParseInterval)
	got, err := ParseInterval(" Clopper-Pearson ")
	require.NoError(t, err)
	assert.Equal(t, IntervalClopperPearson, got)
	_, err = ParseInterval("wald")
	require.ErrorContains(t, err, `stats: unknown interval method "wald"`)
	assert.Equal(t, "Interval(7)", Interval(7).String())
	_, err = json.Marshal(Interval(7))
	require.Error(t, err)
	var u Interval
	require.Error(t, json.Unmarshal([]byte(`"nope"`), &u))
}

// textRoundTrip checks that each value reads back from the name String
// gives it, by parse, and from its JSON, by its UnmarshalText.
func textRoundTrip[T interface {
	comparable
	String() string
}](t *testing.T, values []T, parse func(string) (T, error)) {
	t.Helper()
	for _, v := range values {
		back, err := parse(v.String())
		require.NoError(t, err)
		assert.Equal(t, v, back)
		b, err := json.Marshal(v)
		require.NoError(t, err)
		var u T
		require.NoError(t, json.Unmarshal(b, &u))
		assert.Equal(t, v, u)
	}
}
