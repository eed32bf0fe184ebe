//! Clients are traffic sources (see `workload` and `Sim::on_source_arrival`). A client that
//! receives a call (an edge into it) answers at once with success: it acts as a sink.
