"""Times an M/M/c queue (c = 1 gives M/M/1) in SimPy or in Ciw and prints one JSON line.

The model is the one bench/designs/mm1.json and mmc.json describe for archsim: Poisson arrivals
at `arrival_rate` per ms, exponential service at `service_rate` per ms on `servers` servers,
an unbounded first-come-first-served queue. Time is in milliseconds in all three simulators.

The number of customers starts at `--customers` and grows until one run lasts at least
`--min-seconds` of wall time, so the per-second rate is not dominated by start-up.
"""

import argparse
import json
import math
import random
import sys
import time


def simpy_run(servers, arrival_rate, service_rate, customers, seed):
    import simpy

    rng = random.Random(seed)
    env = simpy.Environment()
    counter = simpy.Resource(env, capacity=servers)
    totals = {"served": 0, "sojourn": 0.0}

    def customer():
        arrived = env.now
        with counter.request() as turn:
            yield turn
            yield env.timeout(rng.expovariate(service_rate))
        totals["served"] += 1
        totals["sojourn"] += env.now - arrived

    def source():
        for _ in range(customers):
            yield env.timeout(rng.expovariate(arrival_rate))
            env.process(customer())

    env.process(source())
    started = time.perf_counter()
    env.run()
    seconds = time.perf_counter() - started
    return totals["served"], totals["sojourn"] / totals["served"], seconds


def ciw_run(servers, arrival_rate, service_rate, customers, seed):
    import ciw

    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=arrival_rate)],
        service_distributions=[ciw.dists.Exponential(rate=service_rate)],
        number_of_servers=[servers],
    )
    ciw.seed(seed)
    started = time.perf_counter()
    simulation = ciw.Simulation(network)
    simulation.simulate_until_max_customers(customers, method="Finish")
    seconds = time.perf_counter() - started
    records = simulation.get_all_records()
    sojourn = sum(r.exit_date - r.arrival_date for r in records) / len(records)
    return len(records), sojourn, seconds


RUNNERS = {"simpy": simpy_run, "ciw": ciw_run}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("library", choices=sorted(RUNNERS))
    parser.add_argument("--servers", type=int, default=1)
    parser.add_argument("--arrival-rate", type=float, default=0.8, help="per ms")
    parser.add_argument("--service-rate", type=float, default=1.0, help="per ms, per server")
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--min-seconds", type=float, default=2.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    runner = RUNNERS[args.library]
    customers = args.customers
    while True:
        served, mean_sojourn, seconds = runner(
            args.servers, args.arrival_rate, args.service_rate, customers, args.seed
        )
        if seconds >= args.min_seconds:
            break
        # Aim 25% past the minimum so the next run is long enough despite noise.
        customers = math.ceil(customers * 1.25 * args.min_seconds / max(seconds, 1e-3))

    print(
        json.dumps(
            {
                "library": args.library,
                "servers": args.servers,
                "customers": served,
                "seconds": seconds,
                "customers_per_second": served / seconds,
                "mean_sojourn_ms": mean_sojourn,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
