//! A strategy that shrinks to a given value first: the documented example's, so that a failing
//! property ends on an event that reads like the API reference's, where the failure allows.

use proptest::strategy::{NewTree, Strategy, ValueTree};
use proptest::test_runner::TestRunner;

/// Draws from `strategy`; when shrinking, tries `example` before shrinking the value drawn.
/// The example is never drawn: it is where shrinking goes.
pub(crate) fn toward<S: Strategy>(example: S::Value, strategy: S) -> Toward<S>
where
    S::Value: Clone,
{
    Toward { example, strategy }
}

#[derive(Debug, Clone)]
pub(crate) struct Toward<S: Strategy> {
    example: S::Value,
    strategy: S,
}

impl<S: Strategy> Strategy for Toward<S>
where
    S::Value: Clone,
{
    type Tree = TowardTree<S::Tree>;
    type Value = S::Value;

    fn new_tree(&self, runner: &mut TestRunner) -> NewTree<Self> {
        let drawn = self.strategy.new_tree(runner)?;
        Ok(TowardTree { example: Some(self.example.clone()), drawn, at_example: false })
    }
}

/// The drawn value's tree, and the example until it has been tried.
pub(crate) struct TowardTree<T: ValueTree> {
    /// `None` once tried and refused (the property held on it).
    example: Option<T::Value>,
    drawn: T,
    at_example: bool,
}

impl<T: ValueTree> ValueTree for TowardTree<T>
where
    T::Value: Clone,
{
    type Value = T::Value;

    fn current(&self) -> T::Value {
        match (&self.example, self.at_example) {
            (Some(example), true) => example.clone(),
            _ => self.drawn.current(),
        }
    }

    fn simplify(&mut self) -> bool {
        if self.at_example {
            // The example still fails: nothing is simpler.
            return false;
        }
        if self.example.is_some() {
            self.at_example = true;
            return true;
        }
        self.drawn.simplify()
    }

    fn complicate(&mut self) -> bool {
        if self.at_example {
            // The property held on the example: back to the drawn value, which goes on shrinking.
            self.at_example = false;
            self.example = None;
            return true;
        }
        self.drawn.complicate()
    }
}

#[cfg(test)]
mod tests {
    use proptest::test_runner::{Config, TestError, TestRunner};

    use super::*;

    #[test]
    fn shrinks_to_the_example_when_it_fails_and_past_it_when_it_does_not() {
        let mut runner = TestRunner::new(Config { failure_persistence: None, ..Config::default() });
        let failing = runner.run(&toward(305u64, 0..10_000u64), |n| {
            proptest::prop_assert!(n < 300);
            Ok(())
        });
        assert!(matches!(failing, Err(TestError::Fail(_, 305))), "{failing:?}");
        let failing = runner.run(&toward(305u64, 0..10_000u64), |n| {
            proptest::prop_assert!(n < 1000);
            Ok(())
        });
        assert!(matches!(failing, Err(TestError::Fail(_, 1000))), "{failing:?}");
    }
}
