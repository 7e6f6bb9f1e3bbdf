//! The window and the desktop around it: copying a password, zooming the page.

use super::CmdResult;
use crate::clipboard::{SecretClipboard, CLEAR_AFTER};
use secrecy::SecretString;
use tauri::{Manager, Runtime};

/// Puts a password on the clipboard and clears it after [`CLEAR_AFTER`] if it is still there.
/// Returns the seconds until then, for the page's sentence.
#[tauri::command]
pub async fn copy_secret<R: Runtime>(app: tauri::AppHandle<R>, text: String) -> CmdResult<u32> {
    let board = app.state::<SecretClipboard>();
    let generation = board.copy(SecretString::from(text))?;
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(CLEAR_AFTER).await;
        handle.state::<SecretClipboard>().clear_if_still(Some(generation));
    });
    Ok(CLEAR_AFTER.as_secs() as u32)
}

/// The zoom steps Ctrl+= and Ctrl+- move through, in percent.
pub const ZOOM_STEPS: [u32; 11] = [50, 67, 80, 90, 100, 110, 125, 150, 175, 200, 250];

/// Zooms the page `steps` steps from the step nearest to `percent` (0: to that step; Ctrl+0
/// sends 100 and 0); returns the level used, within 50–250%.
#[tauri::command]
pub fn set_zoom<R: Runtime>(window: tauri::WebviewWindow<R>, percent: u32, steps: i32) -> CmdResult<u32> {
    let step = stepped(percent, steps);
    window
        .set_zoom(f64::from(step) / 100.0)
        .map_err(|e| super::CommandError::new(rackdesk_core::ErrorKind::Internal, "The page could not be zoomed.").with_detail(e))?;
    Ok(step)
}

fn stepped(percent: u32, steps: i32) -> u32 {
    let here = ZOOM_STEPS.iter().enumerate().min_by_key(|(_, s)| s.abs_diff(percent)).map_or(0, |(i, _)| i as i64);
    ZOOM_STEPS[(here + i64::from(steps)).clamp(0, ZOOM_STEPS.len() as i64 - 1) as usize]
}

#[cfg(test)]
mod tests {
    #[test]
    fn zoom_lands_on_the_nearest_step_within_bounds() {
        use super::stepped;
        assert_eq!(stepped(100, 0), 100);
        assert_eq!(stepped(100, 1), 110);
        assert_eq!(stepped(100, 5), 200, "five steps up from 100% reach 200%");
        assert_eq!(stepped(100, -1), 90);
        assert_eq!(stepped(199, 0), 200);
        assert_eq!(stepped(250, 1), 250, "no further than 250%");
        assert_eq!(stepped(50, -3), 50, "no smaller than 50%");
        assert_eq!(stepped(0, 0), 50);
    }
}
