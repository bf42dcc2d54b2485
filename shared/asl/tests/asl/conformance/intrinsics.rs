//! https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html
//! (and the ASL specification's appendix B, https://states-language.net/#appendix-b):
//! each example with the output the page gives.

use serde_json::json;

use super::{output, pass};

#[tokio::test(start_paused = true)]
async fn format_with_a_literal_or_a_path_template() {
    let input = json!({ "name": "Arnav", "template": "Hello, my name is {}." });
    let got = output(
        pass(json!({
            "literal.$": "States.Format('Hello, my name is {}.', $.name)",
            "path.$": "States.Format($.template, $.name)"
        })),
        input,
    )
    .await;
    assert_eq!(got["literal"], "Hello, my name is Arnav.");
    assert_eq!(got["path"], "Hello, my name is Arnav.");
}

#[tokio::test(start_paused = true)]
async fn string_to_json_and_back() {
    let got = output(
        pass(json!({
            "parsed.$": "States.StringToJson($.escapedJsonString)",
            "text.$": "States.JsonToString($.unescapedJson)"
        })),
        json!({ "escapedJsonString": "{\"foo\": \"bar\"}", "unescapedJson": { "foo": "bar" } }),
    )
    .await;
    assert_eq!(got["parsed"], json!({ "foo": "bar" }));
    assert_eq!(got["text"], "{\"foo\":\"bar\"}");
}

#[tokio::test(start_paused = true)]
async fn array_functions() {
    let got = output(
        pass(json!({
            "BuildId.$": "States.Array($.Id)",
            "partitioned.$": "States.ArrayPartition($.inputArray, 4)",
            "contains.$": "States.ArrayContains($.inputArray, $.lookingFor)",
            "range.$": "States.ArrayRange(1, 9, 2)",
            "item.$": "States.ArrayGetItem($.inputArray, $.index)",
            "length.$": "States.ArrayLength($.inputArray)",
            "unique.$": "States.ArrayUnique($.duplicates)"
        })),
        json!({
            "Id": 123456,
            "inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9],
            "lookingFor": 5,
            "index": 5,
            "duplicates": [1, 2, 3, 3, 3, 3, 3, 3, 4]
        }),
    )
    .await;
    assert_eq!(got["BuildId"], json!([123456]));
    assert_eq!(got["partitioned"], json!([[1, 2, 3, 4], [5, 6, 7, 8], [9]]));
    assert_eq!(got["contains"], json!(true));
    assert_eq!(got["range"], json!([1, 3, 5, 7, 9]));
    assert_eq!(got["item"], json!(6));
    assert_eq!(got["length"], json!(9));
    assert_eq!(got["unique"], json!([1, 2, 3, 4]));
}

#[tokio::test(start_paused = true)]
async fn base64_encode_and_decode() {
    let got = output(
        pass(json!({
            "base64.$": "States.Base64Encode($.input)",
            "data.$": "States.Base64Decode($.base64)"
        })),
        json!({ "input": "Data to encode", "base64": "RGF0YSB0byBlbmNvZGU=" }),
    )
    .await;
    assert_eq!(got["base64"], "RGF0YSB0byBlbmNvZGU=");
    assert_eq!(got["data"], "Data to encode");
}

#[tokio::test(start_paused = true)]
async fn hash_sha_1() {
    let got = output(
        pass(json!({ "output.$": "States.Hash($.Data, $.Algorithm)" })),
        json!({ "Data": "input data", "Algorithm": "SHA-1" }),
    )
    .await;
    assert_eq!(got["output"], "aaff4a450a104cd177d28d18d74485e8cae074b7");
}

#[tokio::test(start_paused = true)]
async fn json_merge_is_shallow() {
    let got = output(
        pass(json!({ "output.$": "States.JsonMerge($.json1, $.json2, false)" })),
        json!({
            "json1": { "a": { "a1": 1, "a2": 2 }, "b": 2 },
            "json2": { "a": { "a3": 1, "a4": 2 }, "c": 3 }
        }),
    )
    .await;
    assert_eq!(
        got["output"],
        json!({ "a": { "a3": 1, "a4": 2 }, "b": 2, "c": 3 })
    );
}

#[tokio::test(start_paused = true)]
async fn math_add_and_random() {
    let got = output(
        pass(json!({
            "value1.$": "States.MathAdd($.value1, $.step)",
            "random.$": "States.MathRandom($.start, $.end)"
        })),
        json!({ "value1": 111, "step": -1, "start": 1, "end": 999 }),
    )
    .await;
    assert_eq!(got["value1"], json!(110));
    let random = got["random"].as_i64().unwrap();
    assert!((1..=999).contains(&random), "{random}");
}

#[tokio::test(start_paused = true)]
async fn string_split_at_any_separator_character() {
    let got = output(
        pass(json!({
            "array1.$": "States.StringSplit($.inputString, $.splitter)",
            "array2.$": "States.StringSplit($.inputString2, $.splitter2)"
        })),
        json!({
            "inputString": "1,2,3,4,5", "splitter": ",",
            "inputString2": "This.is+a,test=string", "splitter2": ".+,="
        }),
    )
    .await;
    assert_eq!(got["array1"], json!(["1", "2", "3", "4", "5"]));
    assert_eq!(got["array2"], json!(["This", "is", "a", "test", "string"]));
}

#[tokio::test(start_paused = true)]
async fn uuid_is_a_version_4_uuid() {
    let got = output(pass(json!({ "uuid.$": "States.UUID()" })), json!({})).await;
    let uuid = uuid::Uuid::parse_str(got["uuid"].as_str().unwrap()).unwrap();
    assert_eq!(uuid.get_version_num(), 4);
}

/// The page's nesting example: nine functions in one field. As printed,
/// its template has three `{}` for two arguments, which is refused when the
/// definition loads; with two `{}` it runs.
#[tokio::test(start_paused = true)]
async fn nine_nested_functions() {
    let nested = |template: &str| {
        format!(
            "States.Format('{template}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 1))"
        )
    };
    assert!(crate::support::load(pass(json!({ "myArn.$": nested("{}.{}.{}") }))).is_err());
    let got = output(
        pass(json!({ "myArn.$": nested("{}.{}") })),
        json!({ "ImageRecipe": { "Arn": "arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/my-recipe/1.0.1" } }),
    )
    .await;
    assert_eq!(got["myArn"], "1.0");
}

/// The page's reserved characters: `\'`, `\{`, `\}` and `\\` in literals.
#[tokio::test(start_paused = true)]
async fn escaped_characters_in_literals() {
    let got = output(
        pass(json!({ "text.$": "States.Format('It\\'s \\{{}\\} and a \\\\', $.x)" })),
        json!({ "x": "braced" }),
    )
    .await;
    assert_eq!(got["text"], "It's {braced} and a \\");
}

/// Details AWS shows in recorded executions (LocalStack's AWS-validated
/// snapshots, tests/aws/services/stepfunctions/v2/intrinsic_functions/):
/// non-integers are rounded, an empty string parses to null, objects in
/// States.Format print as Java maps.
#[tokio::test(start_paused = true)]
async fn details_from_recorded_executions() {
    let got = output(
        pass(json!({
            "sum.$": "States.MathAdd($.a, $.b)",
            "empty.$": "States.StringToJson($.empty)",
            "formatted.$": "States.Format('{} {}', $.object, $.list)"
        })),
        json!({ "a": 1.5, "b": 1, "empty": "", "object": { "k": "v" }, "list": [1, "two"] }),
    )
    .await;
    assert_eq!(got["sum"], json!(3));
    assert_eq!(got["empty"], json!(null));
    assert_eq!(got["formatted"], "{k=v} [1, two]");
}
