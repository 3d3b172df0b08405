package mining

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/bits-and-blooms/bitset"
)

// Ratio is an exact non-negative rational number Num/Den, the form in which
// thresholds are compared: the decimal 0.2 is the Ratio {1, 5}, and a drop of
// exactly 0.2 meets it. The zero value, {0, 0}, is the number 0.
type Ratio struct {
	Num, Den int64
}

// Baseline says what a tag set's accuracy is compared with in the drop
// condition. Its text form, "rest" or "class", is how prime's options and
// reports name it.
type Baseline int

const (
	// BaselineRest compares with the rest of the class: A_R(T) − A_T.
	BaselineRest Baseline = iota
	// BaselineClass compares with the whole class: A_c − A_T.
	BaselineClass
)

// String returns "rest" or "class".
func (b Baseline) String() string {
	switch b {
	case BaselineRest:
		return "rest"
	case BaselineClass:
		return "class"
	}
	return "Baseline(" + strconv.Itoa(int(b)) + ")"
}

// MarshalText implements encoding.TextMarshaler with the name String
// returns. It fails for a value that is not one of the constants.
func (b Baseline) MarshalText() ([]byte, error) {
	if b != BaselineRest && b != BaselineClass {
		return nil, errors.New("mining: unknown baseline " + strconv.Itoa(int(b)))
	}
	return []byte(b.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler: "rest" or "class".
func (b *Baseline) UnmarshalText(text []byte) error {
	switch string(text) {
	case "rest":
		*b = BaselineRest
	case "class":
		*b = BaselineClass
	default:
		return errors.New(`mining: unknown baseline "` + string(text) + `" (want rest or class)`)
	}
	return nil
}

// Params are the thresholds of the failure-mode definition. There are no
// defaults at this level: MinSize and MaxTags must be set, and a zero Ratio
// is the threshold 0.
type Params struct {
	MinSize         int      // s: a mode holds at least this many records; ≥ 1
	MinDrop         Ratio    // a: minimum accuracy drop against the baseline; in [0, 1]
	MinMarginalDrop Ratio    // b: minimum drop against every proper subset; in [0, 1]
	MaxTags         int      // k: at most this many tags; ≥ 1
	Baseline        Baseline // what the drop is measured against

	// MemoryLimit bounds the memory, in bytes, that the search holds for
	// the tag sets it keeps from one size to the next and for the modes it
	// finds; 0 means no bound. Before counting the sets of each size it
	// bounds how many it may keep (one for each two kept sets of one tag
	// fewer that share all but their last tag), and it stops with a
	// *LimitError when those, or the modes found, would not fit. Its
	// scratch (a table of at most 32 MiB, a row of tags per record, a few
	// bitsets) comes on top.
	MemoryLimit int64
}

// Class is one class's records as bitsets, one bit per record, records
// numbered 0 to N-1. N is at most MaxRecords. Correct may be nil, meaning
// that no record is classified correctly. A bitset may be longer than N
// bits, but no bit at N or beyond may be set.
type Class struct {
	N       int              // number of records
	Correct *bitset.BitSet   // bit i set when record i is classified correctly
	Tags    []*bitset.BitSet // Tags[t]: bit i set when record i carries tag t; nil when no record does
}

// A Mode is a failure mode of a class: a set of tag ids with its counts.
type Mode struct {
	Tags    []int // tag ids, ascending
	N       int   // records carrying every tag
	Correct int   // of those, records classified correctly
}

// A Support is a count of tested tag sets that share the same counts.
type Support struct {
	N, Correct int   // records carrying the set, and correct among them
	Sets       int64 // how many tag sets have these counts
}

// Result is what Mine finds in one class.
type Result struct {
	// Modes are the failure modes, ordered by tag count, then by tag ids
	// lexicographically.
	Modes []Mode
	// Tested holds every tag set of 1 to MaxTags tags that meets the size
	// condition, grouped by its counts (N ascending, then Correct
	// ascending): the hypotheses that a multiple-testing correction counts.
	Tested []Support
	// Evaluated is the number of tag sets whose support was counted: the
	// non-nil single tags, and every larger candidate, a set of l tags all
	// of whose subsets of l−1 tags were frequent. It does not depend on
	// how the supports were counted.
	Evaluated int64
}

// A LimitError reports a search stopped because it would hold more than
// Params.MemoryLimit: too many tag sets to keep, or too many modes.
// Raising MinSize or lowering MaxTags (and, for modes, raising MinDrop or
// MinMarginalDrop) shrinks the search.
type LimitError struct {
	Modes bool  // the modes found outgrew the limit, not the sets to keep
	Sets  int64 // the sets the search would keep, or the modes found so far
	Tags  int   // the size of the sets to keep
	Bytes int64 // the memory they would take
	Limit int64 // the limit
}

func (e *LimitError) Error() string {
	if e.Modes {
		return fmt.Sprintf("mining: %d failure modes found so far would take %s of memory, beyond the limit of %s",
			e.Sets, bytesString(e.Bytes), bytesString(e.Limit))
	}
	return fmt.Sprintf("mining: the search would keep up to %d sets of %d tags, %s of memory beyond the limit of %s",
		e.Sets, e.Tags, bytesString(e.Bytes), bytesString(e.Limit))
}

// bytesString writes n bytes in MiB or GiB.
func bytesString(n int64) string {
	if n >= 1<<30 {
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// ErrParams is returned (wrapped) for parameters outside their range.
var ErrParams = errors.New("mining: invalid parameters")

// Mine finds every failure mode of one class, exactly as defined in the
// package documentation. It returns an error wrapping ErrParams for
// parameters out of range, an error for a malformed Class (N out of range,
// a bitset with a bit at or beyond N), and ctx's error, wrapped, when ctx
// is done before the search ends. Mine only reads c, so it may run on
// several classes (or the same one) at once.
func Mine(ctx context.Context, c *Class, p Params) (*Result, error) {
	var m Miner
	return m.Mine(ctx, c, p)
}
