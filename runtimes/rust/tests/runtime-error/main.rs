fn main() {
    let items: Vec<i32> = Vec::new();
    let index = std::env::args().count() + 2;
    println!("before");
    println!("{}", items[index]);
}
