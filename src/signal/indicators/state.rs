//! An indicator's state as plain numbers (for pickling a stream) and the ring buffer that holds
//! its windows.

use crate::error::{Error, Result};

/// Reads back what [`Save::save`] wrote.
pub struct Loader<'a> {
    it: std::slice::Iter<'a, f64>,
}

impl<'a> Loader<'a> {
    pub fn new(values: &'a [f64]) -> Self {
        Self { it: values.iter() }
    }

    pub fn real(&mut self) -> Result<f64> {
        self.it.next().copied().ok_or_else(|| Error::InvalidInput("the saved stream state is too short".into()))
    }

    pub fn count(&mut self, max: usize) -> Result<usize> {
        let v = self.real()?;
        if v >= 0.0 && v.fract() == 0.0 && v <= max as f64 {
            Ok(v as usize)
        } else {
            Err(Error::InvalidInput(format!("the saved stream state holds {v} where a count up to {max} belongs")))
        }
    }

    /// `Ok` once every saved number was read.
    pub fn finish(self) -> Result<()> {
        match self.it.len() {
            0 => Ok(()),
            n => Err(Error::InvalidInput(format!("the saved stream state has {n} numbers too many"))),
        }
    }
}

/// State that can be written as plain numbers and read back into a value built with the same
/// parameters.
pub trait Save {
    fn save(&self, out: &mut Vec<f64>);
    fn load(&mut self, from: &mut Loader<'_>) -> Result<()>;
}

impl Save for f64 {
    fn save(&self, out: &mut Vec<f64>) {
        out.push(*self);
    }
    fn load(&mut self, from: &mut Loader<'_>) -> Result<()> {
        *self = from.real()?;
        Ok(())
    }
}

impl Save for usize {
    fn save(&self, out: &mut Vec<f64>) {
        out.push(*self as f64);
    }
    fn load(&mut self, from: &mut Loader<'_>) -> Result<()> {
        *self = from.count(1 << 52)?;
        Ok(())
    }
}

impl Save for bool {
    fn save(&self, out: &mut Vec<f64>) {
        out.push(f64::from(u8::from(*self)));
    }
    fn load(&mut self, from: &mut Loader<'_>) -> Result<()> {
        *self = from.count(1)? == 1;
        Ok(())
    }
}

impl<T: Save> Save for Vec<T> {
    fn save(&self, out: &mut Vec<f64>) {
        for v in self {
            v.save(out);
        }
    }
    fn load(&mut self, from: &mut Loader<'_>) -> Result<()> {
        for v in self.iter_mut() {
            v.load(from)?;
        }
        Ok(())
    }
}

impl<T: Save, const N: usize> Save for [T; N] {
    fn save(&self, out: &mut Vec<f64>) {
        self.iter().for_each(|v| v.save(out));
    }
    fn load(&mut self, from: &mut Loader<'_>) -> Result<()> {
        self.iter_mut().try_for_each(|v| v.load(from))
    }
}

/// `state!(Type { field, ... })`: [`Save`] for a struct, field by field (parameters, fixed at
/// construction, are left out).
macro_rules! state {
    ($t:ty { $($f:tt),* $(,)? }) => {
        impl $crate::signal::indicators::state::Save for $t {
            fn save(&self, out: &mut Vec<f64>) {
                $( $crate::signal::indicators::state::Save::save(&self.$f, out); )*
            }
            fn load(&mut self, from: &mut $crate::signal::indicators::state::Loader<'_>) -> $crate::error::Result<()> {
                $( $crate::signal::indicators::state::Save::load(&mut self.$f, from)?; )*
                Ok(())
            }
        }
    };
}
pub(crate) use state;

/// The last `capacity` values pushed, oldest first.
#[derive(Clone, Debug)]
pub struct Ring {
    buf: Vec<f64>,
    head: usize,
    len: usize,
}

impl Ring {
    pub fn new(capacity: usize) -> Self {
        Self { buf: vec![0.0; capacity.max(1)], head: 0, len: 0 }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// The capacity.
    pub fn buf_len(&self) -> usize {
        self.buf.len()
    }

    pub fn is_full(&self) -> bool {
        self.len == self.buf.len()
    }

    /// Appends `x`; when full, drops the oldest value first.
    #[inline]
    pub fn push(&mut self, x: f64) {
        let cap = self.buf.len();
        let mut slot = self.head + self.len;
        if slot >= cap {
            slot -= cap;
        }
        self.buf[slot] = x;
        if self.len == cap {
            self.head += 1;
            if self.head == cap {
                self.head = 0;
            }
        } else {
            self.len += 1;
        }
    }

    /// The `i`-th oldest value held (`0`: the oldest).
    #[inline]
    pub fn get(&self, i: usize) -> f64 {
        let cap = self.buf.len();
        let mut slot = self.head + i;
        if slot >= cap {
            slot -= cap;
        }
        self.buf[slot]
    }

    /// The storage in slot order (what TA-Lib's circular buffers sum over once full).
    pub fn slots(&self) -> &[f64] {
        &self.buf[..self.len]
    }

    /// The `i`-th newest value held (`0`: the newest).
    #[inline]
    pub fn back(&self, i: usize) -> f64 {
        self.get(self.len - 1 - i)
    }
}

/// A ring is saved slot by slot, with where its oldest value is: TA-Lib sums some windows in
/// slot order (CCI), so a restored ring must keep the layout, not only the order.
impl Save for Ring {
    fn save(&self, out: &mut Vec<f64>) {
        out.push(self.len as f64);
        out.push(self.head as f64);
        out.extend_from_slice(&self.buf[..self.len]);
    }
    fn load(&mut self, from: &mut Loader<'_>) -> Result<()> {
        let cap = self.buf.len();
        let len = from.count(cap)?;
        let head = from.count(cap - 1)?;
        if len < cap && head != 0 {
            return Err(Error::InvalidInput("the saved stream state holds a broken window".into()));
        }
        for slot in self.buf.iter_mut().take(len) {
            *slot = from.real()?;
        }
        self.len = len;
        self.head = head;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_keeps_the_last_values_and_saves_them() {
        let mut r = Ring::new(3);
        for x in 1..=5 {
            r.push(f64::from(x));
        }
        assert_eq!((r.get(0), r.get(2), r.back(0), r.len()), (3.0, 5.0, 5.0, 3));
        let mut s = Vec::new();
        r.save(&mut s);
        let mut q = Ring::new(3);
        let mut l = Loader::new(&s);
        q.load(&mut l).unwrap();
        l.finish().unwrap();
        assert_eq!((q.get(0), q.get(1), q.get(2)), (3.0, 4.0, 5.0));
        assert!(q.load(&mut Loader::new(&[4.0, 0.0, 1.0, 2.0, 3.0, 4.0])).is_err());
        assert!(q.load(&mut Loader::new(&[2.0, 1.0, 1.0, 2.0])).is_err());
    }
}
