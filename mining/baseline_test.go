package mining

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBaselineText(t *testing.T) {
	for _, b := range []Baseline{BaselineRest, BaselineClass} {
		text, err := json.Marshal(b)
		require.NoError(t, err)
		var back Baseline
		require.NoError(t, json.Unmarshal(text, &back))
		assert.Equal(t, b, back)
	}
	assert.Equal(t, "rest", BaselineRest.String())
	assert.Equal(t, "class", BaselineClass.String())
	assert.Equal(t, "Baseline(5)", Baseline(5).String())
	_, err := json.Marshal(Baseline(5))
	require.Error(t, err)
	var b Baseline
	require.ErrorContains(t, json.Unmarshal([]byte(`"whole"`), &b), `mining: unknown baseline "whole" (want rest or class)`)
	var zero Baseline
	assert.Equal(t, BaselineRest, zero, "the zero value is the rest")
}
