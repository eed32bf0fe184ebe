//! Clients are traffic sources (see `workload` and `Sim::on_source_arrival`): each request goes
//! to the client's outgoing edges in round-robin order (one edge per request, so several edges
//! split the traffic evenly). A client that receives a call (an edge into it) answers at once
//! with success: it acts as a sink.
