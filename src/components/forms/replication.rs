//! A database's replication as it is really run (the model's `replication.rs`): the lag as a
//! distribution, primary failover, read-your-writes.

use archsim_model::{DatabaseParams, Distribution, Failover, ReadYourWrites};
use yew::prelude::*;

use super::distribution::DistributionEditor;
use super::{edit, join};
use crate::components::fields::{NumberField, NumberKind, OptionalSection};

#[derive(Properties, PartialEq)]
pub struct ReplicationEditorProps {
    /// JSON path of the database's `params`.
    pub path: AttrValue,
    pub value: DatabaseParams,
    pub on_change: Callback<DatabaseParams>,
}

#[function_component(ReplicationEditor)]
pub fn replication_editor(props: &ReplicationEditorProps) -> Html {
    let value = &props.value;
    let emit = &props.on_change;
    let path = props.path.as_str();

    let lag_toggle = {
        let (value, emit) = (value.clone(), emit.clone());
        Callback::from(move |on: bool| {
            let mut next = value.clone();
            // Switched on: start from the constant lag the database had.
            next.replication_lag = on.then_some(Distribution::Exponential {
                mean_ms: value.replication_lag_ms,
            });
            emit.emit(next);
        })
    };
    let lag_body = value.replication_lag.clone().map(|lag| {
        html! {
            <DistributionEditor label="Lag of each write" path={join(path, "replication_lag")} value={lag}
                on_change={edit(value, emit, |d, l| d.replication_lag = Some(l))} />
        }
    });

    let failover_toggle = {
        let (value, emit) = (value.clone(), emit.clone());
        Callback::from(move |on: bool| {
            let mut next = value.clone();
            next.failover = on.then(Failover::default);
            emit.emit(next);
        })
    };
    let failover_body = value.failover.as_ref().map(|failover| {
        html! {
            <NumberField label="Detection and promotion" path={join(path, "failover.detection_ms")}
                kind={NumberKind::Millis} unit="ms" value={failover.detection_ms}
                hint="From a primary's crash until a replica takes writes; unreplicated writes are lost."
                on_change={edit(value, emit, |d, v| if let Some(f) = &mut d.failover { f.detection_ms = v })} />
        }
    });

    let ryw_toggle = {
        let (value, emit) = (value.clone(), emit.clone());
        Callback::from(move |on: bool| {
            let mut next = value.clone();
            next.read_your_writes = on.then(ReadYourWrites::default);
            emit.emit(next);
        })
    };
    let ryw_body = value.read_your_writes.as_ref().map(|ryw| {
        html! {
            <NumberField label="Window" path={join(path, "read_your_writes.window_ms")}
                kind={NumberKind::Millis} unit="ms" value={ryw.window_ms}
                hint="A client's reads of a key it wrote this recently go to the primary."
                on_change={edit(value, emit, |d, v| if let Some(r) = &mut d.read_your_writes { r.window_ms = v })} />
        }
    });

    html! {
        <>
            <OptionalSection title="Replication lag as a distribution" path={join(path, "replication_lag")}
                enabled={value.replication_lag.is_some()}
                hint="Each write reaches the replicas after its own lag (in order); off: the constant lag above."
                on_toggle={lag_toggle}>
                { for lag_body }
            </OptionalSection>
            <OptionalSection title="Primary failover" path={join(path, "failover")}
                enabled={value.failover.is_some()}
                hint="A replica is promoted when a primary crashes (a primary crash fault)."
                on_toggle={failover_toggle}>
                { for failover_body }
            </OptionalSection>
            <OptionalSection title="Read your writes" path={join(path, "read_your_writes")}
                enabled={value.read_your_writes.is_some()}
                on_toggle={ryw_toggle}>
                { for ryw_body }
            </OptionalSection>
        </>
    }
}
