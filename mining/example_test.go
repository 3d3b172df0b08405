package mining_test

import (
	"context"
	"fmt"

	"github.com/bits-and-blooms/bitset"

	"github.com/failmodes/prime/mining"
)

// A class of 40 images with three tags: 0 "snow", 1 "dog", 2 "night". The
// classifier gets 9 of the 10 night images wrong, and is right on 25 of the
// other 30; its day errors are all on dogs, and so are 6 of its night
// errors. Night (0.1 against 0.83 on the rest), dog (0.58 against 0.79) and
// night dogs (0, at least 0.05 below both night and dog) are failure modes;
// snow is not.
func ExampleMine() {
	const n = 40
	snow, dog, night := bitset.New(n), bitset.New(n), bitset.New(n)
	correct := bitset.New(n)
	for r := uint(0); r < n; r++ {
		if r%2 == 0 {
			snow.Set(r)
		}
		if r%3 != 0 {
			dog.Set(r)
		}
		if r >= 30 {
			night.Set(r)
			if r == 30 {
				correct.Set(r)
			}
		} else if r%6 != 5 {
			correct.Set(r)
		}
	}
	drop, _ := mining.RatioOf(0.2)
	marginal, _ := mining.RatioOf(0.05)
	res, err := mining.Mine(context.Background(), &mining.Class{
		N:       n,
		Correct: correct,
		Tags:    []*bitset.BitSet{snow, dog, night},
	}, mining.Params{MinSize: 5, MinDrop: drop, MinMarginalDrop: marginal, MaxTags: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range res.Modes {
		fmt.Printf("tags %v: %d of %d correct\n", m.Tags, m.Correct, m.N)
	}
	fmt.Println("tested:", len(res.Tested) > 0, "evaluated:", res.Evaluated)
	// Output:
	// tags [1]: 15 of 26 correct
	// tags [2]: 1 of 10 correct
	// tags [1 2]: 0 of 6 correct
	// tested: true evaluated: 6
}
