/**
 * Event kinds that cross from drivers to the app through an EventRing. Plain numbers (no
 * enum objects at run time) so pushing one allocates nothing. Arguments per kind in comments.
 */
export const EV_KEY = 1; // a = key code (KEY_* in drivers/keypad-keys.ts)
export const EV_KEY_AMBIGUOUS = 2; // two or more keys at once; a = count
export const EV_CARD_SWIPED = 3; // the MSR driver's card record holds a valid card
export const EV_CARD_READ_ERROR = 4; // a = reason (MSR_ERR_*): garbled / partial swipe
export const EV_CARD_INSERTED = 5; // chip card seated (debounced)
export const EV_CARD_REMOVED = 6; // chip card pulled, at any step
export const EV_CHIP_READ = 7; // the chip driver's card record holds a valid card
export const EV_CHIP_ERROR = 8; // a = reason (ICC_ERR_*)
export const EV_READER_FAULT = 9; // a = which reader (1 MSR, 2 ICC): it does not answer
export const EV_PRINT_DONE = 10; // a = job id
export const EV_PRINT_FAILED = 11; // a = job id, b = reason (PRN_ERR_*)
export const EV_LCD_FAULT = 12; // a = consecutive I2C failures
export const EV_LCD_OK = 13; // the display answers again after a fault
