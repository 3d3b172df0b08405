package prime

import (
	"cmp"
	"fmt"
	"math"
	"runtime"

	"github.com/failmodes/prime/mining"
	"github.com/failmodes/prime/stats"
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
	DefaultValidationLevel = 0.05
	// DefaultMemoryLimit is the default Options.MemoryLimit: 2 GiB.
	DefaultMemoryLimit = 2 << 30
)

// Baseline names what a tag set's accuracy is compared with in the drop
// condition: mining's type, named here as os names io/fs's FileMode, so
// that one thing has one name whether the search is reached through
// Analyze or package mining. Its text form is "rest" or "class".
type Baseline = mining.Baseline

const (
	// BaselineRest compares with the rest of the class, A_R(T) − A_T, as in
	// the PRIME paper's example. It is the default, the zero value.
	BaselineRest = mining.BaselineRest
	// BaselineClass compares with the whole class, A_c − A_T.
	BaselineClass = mining.BaselineClass
)

// Options configure Analyze. The zero value asks for the defaults: every
// field left zero takes the value named in its comment. A Report records the
// Options it ran with, defaults filled in, so that passing them to Analyze
// again gives the same Report: an explicit zero (a negative MinDrop,
// MinMarginalDrop or Bootstrap) stays in it as -1.
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
	// MaxTags is k: a failure mode has at most this many tags, 1 to
	// MaxTagsLimit. 0 means DefaultMaxTags (3).
	MaxTags int `json:"max_tags"`
	// Baseline is what the drop is measured against. The zero value is
	// BaselineRest.
	Baseline Baseline `json:"baseline"`

	// FDR keeps only failure modes whose q-value is at most FDR, in (0, 1].
	// 0 means DefaultFDR (0.05); 1 keeps every set that meets the
	// definition, the paper's definition exactly.
	FDR float64 `json:"fdr"`
	// Correction is the multiple-testing correction that turns the
	// p-values of all tested sets into q-values (FailureMode.Q and DropQ).
	// The zero value is stats.MethodBH, Benjamini–Hochberg; the
	// stats.Method constants say what each controls, and under what
	// dependence.
	Correction stats.Method `json:"correction"`
	// Confident keeps only the failure modes whose drop exceeds MinDrop
	// with confidence, not only on the point estimate: those marked
	// FailureMode.Confident, whose DropQ, the q-value of the test of
	// H0: drop ≤ MinDrop, is at most FDR (or DefaultFDR when FDR is 1).
	// false keeps the paper's definition.
	Confident bool `json:"confident"`
	// Interval is the method of the confidence intervals of each mode's
	// accuracy and drop (see the stats.Interval constants). The zero
	// value is stats.IntervalBootstrap, the percentile bootstrap with
	// Bootstrap resamples.
	Interval stats.Interval `json:"interval"`
	// Bootstrap is the number of bootstrap resamples for confidence
	// intervals, at most 1,000,000. 0 means DefaultBootstrap (1000); a
	// negative value turns the intervals off, whatever Interval.
	Bootstrap int `json:"bootstrap"`
	// Confidence is the level of the intervals, in (0, 1).
	// 0 means DefaultConfidence (0.95).
	Confidence float64 `json:"confidence"`
	// Seed seeds the bootstrap; the same input and Seed give the same
	// Report, whatever the number of workers. 0 is a seed like any other,
	// and the default of the library and of the command alike.
	Seed uint64 `json:"seed"`
	// ValidationLevel is the significance level at which a mode holds on
	// held-out records (ModeValidation.Holds), in (0, 1). 0 means
	// DefaultValidationLevel (0.05).
	ValidationLevel float64 `json:"validation_level"`

	// MemoryLimit bounds, in bytes, the memory the search holds for the
	// tag sets it keeps from one size to the next and for the modes it
	// finds, all workers together, each an equal share. A search that
	// would need more stops before it builds the sets with an error
	// wrapping a *mining.LimitError, which says how many it would need:
	// a larger MinSize or a smaller MaxTags shrinks the search. 0 means
	// DefaultMemoryLimit (2 GiB); a negative value means no limit.
	MemoryLimit int64 `json:"-"`
	// Workers bounds the classes mined at once. 0 means runtime.GOMAXPROCS(0).
	Workers int `json:"-"`
	// Progress, when not nil, is called after each class is mined with
	// the number of classes done and their total. It is called from one
	// goroutine at a time.
	Progress func(done, total int) `json:"-"`
}

// withDefaults returns o with every zero field replaced by its default
// and every negative MinDrop, MinMarginalDrop and Bootstrap by -1, and an
// error naming the first field out of its range. Its result is its own
// fixed point: withDefaults of it is itself.
func (o *Options) withDefaults() (Options, error) {
	var r Options
	if o != nil {
		r = *o
	}
	r.MinSize = cmp.Or(r.MinSize, DefaultMinSize)
	r.MinDrop = orDefault(r.MinDrop, DefaultMinDrop)
	r.MinMarginalDrop = orDefault(r.MinMarginalDrop, DefaultMinMarginalDrop)
	r.MaxTags = cmp.Or(r.MaxTags, DefaultMaxTags)
	r.FDR = cmp.Or(r.FDR, DefaultFDR)
	r.Bootstrap = orDefault(r.Bootstrap, DefaultBootstrap)
	r.Confidence = cmp.Or(r.Confidence, DefaultConfidence)
	r.ValidationLevel = cmp.Or(r.ValidationLevel, DefaultValidationLevel)
	r.MemoryLimit = orDefault(r.MemoryLimit, DefaultMemoryLimit)
	if r.Workers <= 0 {
		r.Workers = runtime.GOMAXPROCS(0)
	}
	return r, r.check()
}

// orDefault returns def for 0, -1 for a negative v (an explicit zero, or
// no limit), and v otherwise.
func orDefault[T int | int64 | float64](v, def T) T {
	switch {
	case v == 0:
		return def
	case v < 0:
		return -1
	}
	return v
}

// minDrop is the drop threshold a in force: MinDrop, or 0 for a negative
// MinDrop.
func (o *Options) minDrop() float64 { return max(o.MinDrop, 0) }

// minMarginalDrop is the threshold b in force, as minDrop.
func (o *Options) minMarginalDrop() float64 { return max(o.MinMarginalDrop, 0) }

// confidentLevel is the level at which a mode is marked Confident: FDR,
// or DefaultFDR when FDR is 1, which turns the FDR filter off but leaves
// the mark a level to mean something at.
func (o *Options) confidentLevel() float64 {
	if o.FDR >= 1 {
		return DefaultFDR
	}
	return o.FDR
}

// intervals reports whether the options ask for confidence intervals.
func (o *Options) intervals() bool { return o.Bootstrap > 0 }

// MaxTagsLimit is the largest MaxTags accepted.
const MaxTagsLimit = 8

// check reports the first field outside its range, of Options with the
// defaults filled in.
func (o *Options) check() error {
	bad := func(name string, v any, want string) error {
		return &OptionError{Name: name, Value: fmt.Sprint(v), Range: want}
	}
	switch {
	case o.MinSize < 1:
		return bad("MinSize", o.MinSize, "at least 1")
	case !(o.MinDrop <= 1):
		return bad("MinDrop", o.MinDrop, "0 to 1")
	case !(o.MinMarginalDrop <= 1):
		return bad("MinMarginalDrop", o.MinMarginalDrop, "0 to 1")
	case o.MaxTags < 1 || o.MaxTags > MaxTagsLimit:
		return bad("MaxTags", o.MaxTags, fmt.Sprintf("1 to %d", MaxTagsLimit))
	case o.Baseline != BaselineRest && o.Baseline != BaselineClass:
		return bad("Baseline", o.Baseline, `"rest" or "class"`)
	case !(o.FDR > 0 && o.FDR <= 1):
		return bad("FDR", o.FDR, "above 0, at most 1")
	case o.Correction < stats.MethodBH || o.Correction > stats.MethodBY:
		return bad("Correction", o.Correction, "one of the stats.Method constants")
	case o.Interval < stats.IntervalBootstrap || o.Interval > stats.IntervalClopperPearson:
		return bad("Interval", o.Interval, "one of the stats.Interval constants")
	case o.Bootstrap > 1_000_000:
		return bad("Bootstrap", o.Bootstrap, "0 to 1000000")
	case !(o.Confidence > 0 && o.Confidence < 1) || math.IsNaN(o.Confidence):
		return bad("Confidence", o.Confidence, "strictly between 0 and 1")
	case !(o.ValidationLevel > 0 && o.ValidationLevel < 1):
		return bad("ValidationLevel", o.ValidationLevel, "strictly between 0 and 1")
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
