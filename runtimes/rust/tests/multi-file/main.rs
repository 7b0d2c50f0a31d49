mod geometry;

use geometry::shapes::Rectangle;

fn main() {
    let r = Rectangle { width: 3, height: 4 };
    println!("{}", r.area());
}
