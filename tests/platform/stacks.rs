//! The deployment's templates as the tests read them: template.yaml, the
//! root stack, whose resources are the nested stacks (one per domain,
//! stacks/*.yaml), and each nested stack, as written (tags kept) and as
//! `scripts/check-template.sh` leaves it after the SAM transform
//! (target/transformed/<stack>.json). Tests about the system read the nested
//! stacks as one: a logical id is in one stack only (scripts/checks/stacks.py).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_yaml_ng::Value;

/// Where `scripts/check-template.sh` writes the transformed templates.
const TRANSFORMED: &str = "target/transformed";

pub fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("local/ sits in the repository")
        .to_owned()
}

fn yaml(path: &Path) -> Value {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{} is not YAML: {e}", path.display()))
}

/// A nested stack: its logical id in the root, its file, its template.
pub struct Stack {
    pub file: PathBuf,
    pub template: Value,
}

impl Stack {
    /// A path the template names (CodeUri, DefinitionUri), as SAM reads it:
    /// relative to the template's own directory.
    pub fn path_of(&self, relative: &str) -> PathBuf {
        self.file
            .parent()
            .expect("a template sits in a directory")
            .join(relative)
    }
}

/// The root and its nested stacks, by logical id.
pub struct Stacks {
    pub root: Value,
    pub nested: BTreeMap<String, Stack>,
}

impl Stacks {
    pub fn load() -> Self {
        let repository = repository();
        let root = yaml(&repository.join("template.yaml"));
        let nested = root["Resources"]
            .as_mapping()
            .expect("template.yaml has Resources")
            .iter()
            .filter(|(_, r)| r["Type"].as_str() == Some("AWS::Serverless::Application"))
            .map(|(id, r)| {
                let location = r["Properties"]["Location"]
                    .as_str()
                    .expect("a nested stack's Location is a path in the repository");
                let file = repository.join(location);
                let id = id.as_str().expect("a logical id").to_owned();
                (
                    id,
                    Stack {
                        template: yaml(&file),
                        file,
                    },
                )
            })
            .collect();
        Self { root, nested }
    }

    /// Every nested stack's resources, by logical id, with the stack holding it.
    pub fn resources(&self) -> BTreeMap<String, (&str, &Value)> {
        let mut all = BTreeMap::new();
        for (stack, nested) in &self.nested {
            for (id, resource) in nested.template["Resources"]
                .as_mapping()
                .into_iter()
                .flatten()
            {
                let id = id.as_str().expect("a logical id").to_owned();
                let earlier = all.insert(id.clone(), (stack.as_str(), resource));
                assert!(earlier.is_none(), "{id} is in two stacks");
            }
        }
        all
    }

    /// What the root passes a nested stack's parameter: `(stack, output)`
    /// when it is another stack's output (`!GetAtt Stack.Outputs.Name`).
    fn wired_output(&self, stack: &str, parameter: &str) -> Option<(String, String)> {
        let given = &self.root["Resources"][stack]["Properties"]["Parameters"][parameter];
        let Value::Tagged(tagged) = given else {
            return None;
        };
        let path = tagged.value.as_str().filter(|_| tagged.tag == "GetAtt")?;
        let (source, output) = path.split_once(".Outputs.")?;
        Some((source.to_owned(), output.to_owned()))
    }

    /// The resource a value held by a resource of `stack` refers to
    /// (`!Ref X`, `!Ref X.Alias`, `!GetAtt X.Attr`, an `!If`'s first value),
    /// followed across stacks:
    /// a parameter wired to another stack's output is the resource that
    /// output gives. None for a value that refers to no resource (a root
    /// parameter, a literal).
    pub fn resolve(&self, stack: &str, value: &Value) -> Option<(String, String)> {
        // `!If [Condition, value, otherwise]`: the value, when the condition holds.
        if let Value::Tagged(tagged) = value
            && tagged.tag == "If"
        {
            let chosen = tagged
                .value
                .as_sequence()
                .and_then(|branches| branches.get(1))?;
            return self.resolve(stack, chosen);
        }
        self.resolve_name(stack, super::parity::target(value)?)
    }

    /// The resource a name used in `stack` stands for: one of its own, or
    /// the one another stack's output gives to the parameter of that name.
    pub fn resolve_name(&self, stack: &str, name: &str) -> Option<(String, String)> {
        let template = &self.nested.get(stack)?.template;
        if template["Resources"].get(name).is_some() {
            return Some((stack.to_owned(), name.to_owned()));
        }
        template["Parameters"].get(name)?;
        let (source, output) = self.wired_output(stack, name)?;
        let value = &self.nested.get(&source)?.template["Outputs"][output.as_str()]["Value"];
        self.resolve(&source, value)
    }
}

/// The nested stacks after the SAM transform, as one template: every
/// stack's resources under `Resources`.
pub fn transformed() -> serde_json::Value {
    let directory = repository().join(TRANSFORMED);
    let entries = std::fs::read_dir(&directory).unwrap_or_else(|e| {
        panic!(
            "{TRANSFORMED} is missing ({e}): run `scripts/check-template.sh` first \
             (it writes the SAM-transformed stacks there; scripts/test.sh runs it)"
        )
    });
    let mut resources = serde_json::Map::new();
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        // template.json is the root: its resources are the stacks.
        if path.extension().is_none_or(|e| e != "json") || path.ends_with("template.json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("a transformed stack");
        let stack: serde_json::Value =
            serde_json::from_str(&text).expect("the transformed stack is JSON");
        for (id, resource) in stack["Resources"].as_object().into_iter().flatten() {
            resources.insert(id.clone(), resource.clone());
        }
    }
    assert!(
        !resources.is_empty(),
        "{TRANSFORMED} holds no transformed stack: run `scripts/check-template.sh`"
    );
    serde_json::json!({ "Resources": resources })
}
