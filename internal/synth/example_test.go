package synth_test

import (
	"fmt"
	"log"
	"strings"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/internal/synth"
)

func ExampleGenerate() {
	cfg := synth.Config{Classes: 2, MinRecords: 1000, Seed: 1}
	records := 0
	planted, err := synth.Generate(cfg, func(r *prime.Record) error {
		records++ // or write r with a prime.RecordWriter
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(records, "records")
	for _, p := range planted {
		fmt.Printf("%s: %s (n=%d, accuracy %.2f)\n", p.Label, strings.Join(p.Tags, " + "), p.N, p.Accuracy)
	}
	// Output:
	// 2000 records
	// country pop artist: bible (n=64, accuracy 0.38)
	// country pop artist: citrus fruit + gundam (n=51, accuracy 0.33)
	// country pop artist: acorn + branch + font (n=50, accuracy 0.20)
	// emergency: baby bottle (n=89, accuracy 0.36)
	// emergency: mustard + prison (n=70, accuracy 0.29)
	// emergency: appearance + marine invertebrate + ram (n=50, accuracy 0.28)
}
