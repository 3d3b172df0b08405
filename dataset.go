package prime

// A Dataset holds records compactly, ready for analysis: strings are
// interned, tags are ids into a sorted vocabulary, and records are indexed
// by class. Build one with NewDataset or ReadDataset; a Dataset is immutable
// after that and safe for concurrent use.
type Dataset struct {
	ids       []string  // per record
	images    []string  // per record ("" when unknown); nil when no record has one
	predicted []string  // per record; "" when only correctness is known
	correct   []bool    // per record
	label     []int32   // per record: index into labels
	labels    []string  // class names, ascending
	tagStart  []int     // len n+1: record i's tags are tagIDs[tagStart[i]:tagStart[i+1]]
	tagIDs    []int32   // ascending within a record, no repeats
	tags      []string  // tag names, ascending, each carried by at least one record
	byLabel   [][]int32 // record indices of each class, in input order
}
