//! Behaviour of the States Language executor, one module per concern.

mod booking;
mod callbacks;
mod choice;
mod conformance;
mod dataflow;
mod durability;
mod loading;
mod recovery;
mod support;
mod timing;
