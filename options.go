package prime

import (
	"fmt"
	"math"
	"runtime"
)

// Defaults of Options, the values of the failure-mode definition in the
// PRIME paper and of the statistics on top.
const (
	DefaultMinSize         = 30
	DefaultMinDrop         = 0.2
	DefaultMinMarginalDrop = 0.05
	DefaultMaxTags         = 3
	DefaultFDR             = 0.05
	DefaultBootstrap       = 1000
	DefaultConfidence      = 0.95
)

// Baseline names what a tag set's accuracy is compared with in the drop
// condition.
type Baseline string

const (
	// BaselineRest compares with the rest of the class, A_R(T) − A_T, as in
	// the PRIME paper's example. It is the default.
	BaselineRest Baseline = "rest"
	// BaselineClass compares with the whole class, A_c − A_T.
	BaselineClass Baseline = "class"
)

// Options configure Analyze. The zero value asks for the defaults: every
// field left zero takes the value named in its comment. A Report records the
// Options it ran with, defaults filled in.
type Options struct {
	// MinSize is s: a failure mode holds at least this many records.
	// 0 means DefaultMinSize (30).
	MinSize int `json:"min_size"`
	// MinDrop is a: the least accuracy drop against the baseline, in [0, 1].
	// 0 means DefaultMinDrop (0.2); a negative value asks for exactly 0.
	// The comparison is exact: the decimal 0.2 is the rational 1/5.
	MinDrop float64 `json:"min_drop"`
	// MinMarginalDrop is b: the least accuracy drop of a mode against each
	// of its proper subsets, in [0, 1]. 0 means DefaultMinMarginalDrop
	// (0.05); a negative value asks for exactly 0.
	MinMarginalDrop float64 `json:"min_marginal_drop"`
	// MaxTags is k: a failure mode has at most this many tags.
	// 0 means DefaultMaxTags (3).
	MaxTags int `json:"max_tags"`
	// Baseline is what the drop is measured against. "" means BaselineRest.
	Baseline Baseline `json:"baseline"`

	// FDR keeps only failure modes whose q-value is at most FDR, in (0, 1].
	// 0 means DefaultFDR (0.05); 1 keeps every set that meets the
	// definition, the paper's definition exactly.
	FDR float64 `json:"fdr"`
	// Bootstrap is the number of bootstrap resamples for confidence
	// intervals. 0 means DefaultBootstrap (1000); a negative value turns
	// the intervals off.
	Bootstrap int `json:"bootstrap"`
	// Confidence is the level of the intervals, in (0, 1).
	// 0 means DefaultConfidence (0.95).
	Confidence float64 `json:"confidence"`
	// Seed seeds the bootstrap; the same input and Seed give the same
	// Report, whatever the number of workers.
	Seed uint64 `json:"seed"`

	// Workers bounds the classes mined at once. 0 means runtime.GOMAXPROCS(0).
	Workers int `json:"-"`
	// Progress, when not nil, is called after each class is mined with
	// the number of classes done and their total. It is called from one
	// goroutine at a time.
	Progress func(done, total int) `json:"-"`
}

// withDefaults returns o with every zero field replaced by its default, and
// an error naming the first field out of its range.
func (o *Options) withDefaults() (Options, error) {
	var r Options
	if o != nil {
		r = *o
	}
	if r.MinSize == 0 {
		r.MinSize = DefaultMinSize
	}
	if r.MinDrop == 0 {
		r.MinDrop = DefaultMinDrop
	} else if r.MinDrop < 0 {
		r.MinDrop = 0
	}
	if r.MinMarginalDrop == 0 {
		r.MinMarginalDrop = DefaultMinMarginalDrop
	} else if r.MinMarginalDrop < 0 {
		r.MinMarginalDrop = 0
	}
	if r.MaxTags == 0 {
		r.MaxTags = DefaultMaxTags
	}
	if r.Baseline == "" {
		r.Baseline = BaselineRest
	}
	if r.FDR == 0 {
		r.FDR = DefaultFDR
	}
	if r.Bootstrap == 0 {
		r.Bootstrap = DefaultBootstrap
	} else if r.Bootstrap < 0 {
		r.Bootstrap = 0
	}
	if r.Confidence == 0 {
		r.Confidence = DefaultConfidence
	}
	if r.Workers <= 0 {
		r.Workers = runtime.GOMAXPROCS(0)
	}
	return r, r.check()
}

// MaxMaxTags is the largest MaxTags accepted.
const MaxMaxTags = 8

// check reports the first field outside its range.
func (o *Options) check() error {
	bad := func(name string, v any, want string) error {
		return &OptionError{Name: name, Value: fmt.Sprint(v), Range: want}
	}
	switch {
	case o.MinSize < 1:
		return bad("MinSize", o.MinSize, "at least 1")
	case !(o.MinDrop >= 0 && o.MinDrop <= 1):
		return bad("MinDrop", o.MinDrop, "0 to 1")
	case !(o.MinMarginalDrop >= 0 && o.MinMarginalDrop <= 1):
		return bad("MinMarginalDrop", o.MinMarginalDrop, "0 to 1")
	case o.MaxTags < 1 || o.MaxTags > MaxMaxTags:
		return bad("MaxTags", o.MaxTags, fmt.Sprintf("1 to %d", MaxMaxTags))
	case o.Baseline != BaselineRest && o.Baseline != BaselineClass:
		return bad("Baseline", o.Baseline, `"rest" or "class"`)
	case !(o.FDR > 0 && o.FDR <= 1):
		return bad("FDR", o.FDR, "above 0, at most 1")
	case o.Bootstrap > 1_000_000:
		return bad("Bootstrap", o.Bootstrap, "0 to 1000000")
	case !(o.Confidence > 0 && o.Confidence < 1) || math.IsNaN(o.Confidence):
		return bad("Confidence", o.Confidence, "strictly between 0 and 1")
	}
	return nil
}

// An OptionError reports an Options field outside its range.
type OptionError struct {
	Name  string // the field
	Value string // the value given
	Range string // the accepted range, in words
}

func (e *OptionError) Error() string {
	return fmt.Sprintf("prime: %s %s out of range: want %s", e.Name, e.Value, e.Range)
}
