//! Reinforcement learning: tabular agents (Q-learning, SARSA, Expected SARSA) and their native
//! episode loop, multi-armed and contextual bandits, and two environments (FrozenLake with
//! gymnasium's transition model, a trading environment over a price series).

pub mod bandits;
pub mod env;
pub mod frozen_lake;
pub mod linucb;
pub mod sample;
pub mod tabular;
pub mod trading;
