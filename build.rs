fn main() {
    let path = "openapi/clerk.yaml";
    println!("cargo:rerun-if-changed={path}");
    println!("cargo:rerun-if-env-changed=CLERK_OPENAPI_SPEC");
    let path = std::env::var("CLERK_OPENAPI_SPEC").unwrap_or(path.to_string());
    let text = std::fs::read_to_string(&path).unwrap();
    let spec: openapiv3::OpenAPI = serde_yaml::from_str(&text).unwrap();
    let mut settings = progenitor::GenerationSettings::default();
    settings.with_interface(progenitor::InterfaceStyle::Builder);
    let mut generator = progenitor::Generator::new(&settings);
    let tokens = generator.generate_tokens(&spec).unwrap();
    let ast = syn::parse2(tokens).unwrap();
    let content = prettyplease::unparse(&ast);
    let out = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("codegen.rs");
    std::fs::write(out, content).unwrap();
}
