package stats

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInterval(t *testing.T) {
	for _, m := range []Interval{IntervalBootstrap, IntervalWilson, IntervalClopperPearson} {
		back, err := ParseInterval(m.String())
		require.NoError(t, err)
		assert.Equal(t, m, back)
		b, err := json.Marshal(m)
		require.NoError(t, err)
		var u Interval
		require.NoError(t, json.Unmarshal(b, &u))
		assert.Equal(t, m, u)
	}
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
